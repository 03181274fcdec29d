from kvopt.cli import main

raise SystemExit(main())
