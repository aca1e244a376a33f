import sys

from srochno.cli import main

sys.exit(main())
