"""How a vote on an agenda item is counted: plain functions of plain values, no database.

The rules, in one place:
- The voting window is half-open: a vote is accepted from `opens_at` (inclusive) until `closes_at`
  (exclusive). At the very second the window closes, voting is over.
- The quorum is the minimum number of ballots cast, abstentions included (an abstaining resident
  took part). It is a fixed number, or a percentage of the venue's verified residents rounded up;
  at least one ballot is always needed, so a vote nobody took part in has no quorum.
- The rule decides between yes and no only; abstentions count for neither side. A simple majority
  passes with more yes than no (a tie is rejected); two thirds passes when yes is at least twice
  no. With no yes vote at all the item is rejected.
- The state of an item is computed from the clock whenever it is read, so closing is exact even
  when nobody visits the page at that moment.
- The ballot is secret. Who took part (Participation) is stored apart from what they chose
  (Ballot, with no voter and no time). While the vote is open a ballot is found for changing by
  `ballot_ref`, a keyed hash of voter and item under a secret kept on the item; the close destroys
  the secret and the references, after which nothing links a choice to a person.
- While a vote is open the public sees only how many took part (the turnout); the counts by
  choice show at the close, or all along for a show-of-hands vote the councillor set to a live count.
- A vote open to every registered user is an open poll: its result is shown as such, never as a
  decision of the verified residents.
"""
import hashlib
import hmac
import math
import secrets
from collections import namedtuple

CHOICES = ("yes", "no", "abstain")
RULES = ("majority", "two_thirds")
QUORUM_KINDS = ("count", "percent")

# Window states, in the order an item goes through them.
DRAFT = "draft"  # no window set yet: on the agenda, not put to the vote
SCHEDULED = "scheduled"  # window set, not yet open
OPEN = "open"
CLOSED = "closed"

Tally = namedtuple("Tally", "yes no abstain")
Tally.__doc__ = "The ballots cast on an item, by choice."


def window_state(opens_at, closes_at, now):
    """draft, scheduled, open or closed: where `now` stands relative to the voting window."""
    if opens_at is None or closes_at is None:
        return DRAFT
    if now < opens_at:
        return SCHEDULED
    if now < closes_at:
        return OPEN
    return CLOSED


def total(tally):
    """Every ballot cast, abstentions included."""
    return tally.yes + tally.no + tally.abstain


def quorum_needed(kind, value, resident_count):
    """The number of ballots the vote needs to count: at least one.

    `kind` is "count" (value is a number of ballots) or "percent" (value is a percentage of
    `resident_count`, the venue's verified residents, rounded up).
    """
    if kind == "percent":
        needed = math.ceil(max(value, 0) * max(resident_count, 0) / 100)
    elif kind == "count":
        needed = max(value, 0)
    else:
        raise ValueError(f"unknown quorum kind: {kind}")
    return max(needed, 1)


def passes(tally, rule):
    """Whether yes wins under `rule`, abstentions counting for neither side."""
    if tally.yes == 0:
        return False
    if rule == "majority":
        return tally.yes > tally.no
    if rule == "two_thirds":
        # yes / (yes + no) >= 2/3, kept in integers
        return 3 * tally.yes >= 2 * (tally.yes + tally.no)
    raise ValueError(f"unknown rule: {rule}")


def result(tally, rule, needed):
    """passed, rejected or no_quorum for a closed vote with `needed` ballots as its quorum."""
    if total(tally) < needed:
        return "no_quorum"
    return "passed" if passes(tally, rule) else "rejected"


def change(tally, old, new):
    """The tally after one resident's ballot goes from `old` to `new` (None when not yet cast)."""
    if new not in CHOICES or (old is not None and old not in CHOICES):
        raise ValueError(f"not a vote choice: {old!r} → {new!r}")
    counts = tally._asdict()
    if old is not None:
        counts[old] -= 1
    counts[new] += 1
    return Tally(**counts)


def delta(old, new):
    """{choice: +1/-1} for a ballot going from `old` (or None) to `new`; empty when unchanged."""
    if old == new:
        return {}
    moves = {new: 1}
    if old is not None:
        moves[old] = -1
    return moves


def badge(state, stored_result):
    """What a status badge says about an item: on_agenda, voting_open, or the result."""
    if stored_result:
        return stored_result
    if state == OPEN:
        return "voting_open"
    if state == CLOSED:
        return "voting_closed"
    return "on_agenda"


# Secrecy -------------------------------------------------------------------------------------

def new_ballot_key():
    """A fresh per-item secret (hex) for the ballots' references."""
    return secrets.token_hex(32)


def ballot_ref(key, user_id, item_id):
    """The reference of `user_id`'s ballot on `item_id` under the item's secret `key`.

    Without the key the reference says nothing about who cast the ballot; once the key is destroyed
    no one can compute it again.
    """
    message = f"{int(item_id)}:{int(user_id)}".encode()
    return hmac.new(bytes.fromhex(key), message, hashlib.sha256).hexdigest()


def shows_counts(state, live_count):
    """Whether the public sees the counts by choice (else only the turnout)."""
    return state == CLOSED or (live_count and state == OPEN)


def public_badge(badge_value, open_poll):
    """The badge as shown: a result of an open poll says it was a poll (poll_passed, …)."""
    if open_poll and badge_value in ("passed", "rejected", "no_quorum", "voting_closed"):
        return f"poll_{badge_value}"
    return badge_value
