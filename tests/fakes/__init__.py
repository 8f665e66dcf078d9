"""Local servers that answer like the paid providers' APIs, so provider code is tested over real HTTP."""
