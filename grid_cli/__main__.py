from grid_cli.cli import main

if __name__ == "__main__":  # a spawned worker process (workers.py) imports this module too
    main()
