from grid_cli.cli import main

if __name__ == "__main__":  # `python -m grid_cli`; importing this module runs nothing
    main()
