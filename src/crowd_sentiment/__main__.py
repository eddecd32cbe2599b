"""``python -m crowd_sentiment [kedro arguments]`` behaves like the ``kedro`` command here."""

from kedro.framework.cli import main

if __name__ == "__main__":
    main()
