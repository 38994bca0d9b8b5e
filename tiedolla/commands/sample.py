"""`tiedolla sample`: the synthetic deliveries into <home>/landing/."""
from __future__ import annotations

import time

from tiedolla.home import Home


def sample_command(args) -> int:
    from tiedolla.sample import generate_sample

    home = Home.at(args.home).ensure()
    started = time.monotonic()
    print(f"writing sample deliveries (scale {args.scale}, seed {args.seed}, months {args.months[0]}…"
          f"{args.months[1]}) into {home.landing}")
    generate_sample(home.landing, scale=args.scale, seed=args.seed, months=tuple(args.months),
                    municipalities=args.municipalities, log=print)
    print(f"done in {time.monotonic() - started:.1f} s; next: tiedolla run --home {home.root}")
    return 0
