"""`python -m libs.embedded`: the whole platform on this machine (what `make run` starts)."""

import asyncio

from libs.embedded.supervisor import main

asyncio.run(main())
