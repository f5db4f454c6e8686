"""REFER's API (lichengunc/refer) answered by a refer-graphql server.

    from refer_graphql import REFER            # was: from refer import REFER
    refer = REFER("http://127.0.0.1:4000", dataset="refcoco", splitBy="unc")
"""
from .evaluation import RefEvaluation
from .refer import REFER

__all__ = ["REFER", "RefEvaluation"]
__version__ = "0.1.0"
