import sys

from pipelines.lake.cli import main

sys.exit(main())
