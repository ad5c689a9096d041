from policyc.lsp import main

raise SystemExit(main())
