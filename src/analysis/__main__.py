from analysis.commands.cli import main

raise SystemExit(main())
