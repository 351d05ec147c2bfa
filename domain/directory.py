"""The home page: finding one's venue in two steps, and what the city is deciding now.

Venues and regions are few (about a hundred); issues may be a million, so nothing here reads the
issue table except through an index, and the lists of votes and outcomes are capped.
"""
from dataclasses import dataclass, field

from domain import deliberation, stats, words
from models import AgendaItem, Membership, Region, Venue

# Venues of deputies: listed apart within their town, so they do not swamp the residents' venues.
DEPUTY_KINDS = ("station", "home")
CITY_LIST_LIMIT = 5  # votes open now, and latest outcomes, on the home page
MAX_QUERY = 60


@dataclass
class Town:
    """A town (or subdistrict) of the directory, or the city itself for venues directly under it."""

    region: Region
    groups: list = field(default_factory=list)  # [(region, [venue…])…]: the town's own first
    deputies: list = field(default_factory=list)  # liaison stations and deputies' homes

    @property
    def count(self):
        return sum(len(venues) for _region, venues in self.groups) + len(self.deputies)


def towns(venues, regions):
    """Group `venues` by town, and within a town by village or community, with deputies' venues
    apart: [Town…] in the tree's order, the city's own venues first. Only regions holding a listed
    venue appear."""
    by_id = {r.id: r for r in regions}

    def order(region):
        return (region.position, region.name)

    def town_of(region):
        while region is not None and region.level not in ("town", "city"):
            region = by_id.get(region.parent_id)
        return region

    found = {}
    for venue in venues:
        region = by_id.get(venue.region_id)
        town = town_of(region)
        if town is None:
            continue
        entry = found.setdefault(town.id, Town(town))
        if venue.kind in DEPUTY_KINDS:
            entry.deputies.append(venue)
            continue
        for group_region, listed in entry.groups:
            if group_region.id == region.id:
                listed.append(venue)
                break
        else:
            entry.groups.append((region, [venue]))
    result = list(found.values())
    for town in result:
        # The town's own venues first, then its villages and communities in the tree's order.
        town.groups.sort(key=lambda group: (group[0].id != town.region.id, *order(group[0])))
        town.deputies.sort(key=lambda venue: venue.kind != "home")  # the deputies' home first
    result.sort(key=lambda town: (town.region.level != "city", *order(town.region)))
    return result


def city_of(regions):
    """The root of the tree among `regions` (the first without a parent), or None."""
    roots = sorted((r for r in regions if r.parent_id is None), key=lambda r: r.id)
    return roots[0] if roots else None


@dataclass
class Home:
    q: str = ""
    found: list = field(default_factory=list)  # [Town…] matching q, or every venue without q
    count: int = 0
    city: Region | None = None
    mine: list = field(default_factory=list)  # [(venue, [membership…])…]
    voting: list = field(default_factory=list)  # agenda items open now, closing soonest first
    outcomes: list = field(default_factory=list)
    headline: object = None


def home(user, q="", fragment=False):
    """What the home page shows `user`: the directory (of venues matching `q`), their own venues
    first, the votes open now and the latest outcomes across the city, and the headline figures.
    A fragment (the answer to a search typed in the box) holds only the directory."""
    q = words.without_end_mark(q)[:MAX_QUERY]  # 阳光。 as dictated finds 阳光
    venues = list(Venue.search(q))
    regions = list(Region.current())
    page = Home(q=q, found=towns(venues, regions), count=len(venues), city=city_of(regions))
    if fragment:
        return page
    if user is not None and user.is_authenticated:
        page.mine = my_venues(user)
    now = deliberation.clock()
    page.voting = list(AgendaItem.open_everywhere(now).limit(CITY_LIST_LIMIT))
    page.outcomes = list(deliberation.outcomes().limit(CITY_LIST_LIMIT))
    page.headline = stats.headline()
    return page


def my_venues(user):
    """The venues where `user` serves or is a resident (verified or waiting), with their
    memberships there: [(venue, [membership…])…], by name (one query)."""
    mine = {}
    for membership in Membership.of_user_with_venues(user):
        mine.setdefault(membership.venue.id, (membership.venue, []))[1].append(membership)
    return list(mine.values())
