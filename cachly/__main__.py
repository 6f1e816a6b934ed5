"""`python -m cachly`: the same as the `cachly` command."""

from cachly.root import main

raise SystemExit(main())
