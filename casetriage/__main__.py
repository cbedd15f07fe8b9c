"""``python -m casetriage``: the same CLI as the ``casetriage`` script."""

from casetriage.cli import main

if __name__ == "__main__":
    main()
