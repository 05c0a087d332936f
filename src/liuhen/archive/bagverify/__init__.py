"""The standalone bag verifier shipped inside every export (``verify_bag.py``).

It lives in the package so it is installed with liuhen and tested like the rest, but it imports
nothing from liuhen: a court runs the copy in the bag with only Python and ``cryptography``.
"""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).with_name("verify_bag.py")
