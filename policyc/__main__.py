from policyc.cli import main

raise SystemExit(main())
