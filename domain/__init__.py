"""The domain layer: the rules of the site as plain functions that tests call without HTTP.

workflow      the issue's life: statuses, transitions, triage, raising an issue
permissions   who may do what, one function per act
participation comments, supports, follows, notifications, reports of abuse
memberships   joining a venue, verification, invite codes, roles
deliberation  meetings, agenda items, voting windows, ballots, outcomes
voting        how a vote is counted (pure arithmetic)
audit         the trail of privileged actions
search        the full-text index (CJK bigrams)
directory     the home page: venues by town, one's own venues, the city's votes and outcomes
labels        the stored values' names in the reader's language
timefmt       dates and times in the site's time zone
feeds         iCalendar and Atom documents
open311       Open311 GeoReport v2: services, filing and following requests, API keys
demo          the Zhijiang demo data, made through the functions above
"""
