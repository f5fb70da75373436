import sys

from whatsapp_audit.cli import main

sys.exit(main())
