from psa_sim.cli import main

raise SystemExit(main())
