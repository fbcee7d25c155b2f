from grid_cli.cli import main

main()
