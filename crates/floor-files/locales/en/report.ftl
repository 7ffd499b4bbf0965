# The session report in English: the reference for every other language.
# Every language has exactly these messages, with the same variables.
# People's names, affiliations, questions and reasons come in as
# variables: they are user content, never translated.

## Numbers and lists

decimal-separator = .
list-separator = {", "}
# $pct: a number with one decimal, already written with decimal-separator.
percent = { $pct }%

## Dates and times

weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
# $weekday and $month: the names above; $day and $year: numbers.
date = { $weekday } { $day } { $month } { $year }
unknown-time = an unknown time
# $zone: an IANA name (Europe/Paris); $offset: UTC+01:00.
zone-offset = { $zone }, { $offset }
span-same-day = { $date }, { $start } to { $end } (times in { $zone })
span-two-days = { $date }, { $start } to { $end_date }, { $end } (times in { $zone })
# $span: one of the spans above; $length: a duration below.
when = { $span }; { $length } long.
duration-s = { $s } s
duration-min = { $m } min
duration-min-s = { $m } min { $s } s
duration-h-min = { $h } h { $m } min

## Vocabularies

not-given = Not given
channel-onsite = Onsite
channel-online = Online
kind-question = Question
kind-comment = Comment
group-government = Government
group-civil-society = Civil society
group-private-sector = Private sector
group-technical-community = Technical community
group-intergovernmental = Intergovernmental organisation
group-academia = Academia
group-other = Other group
region-african = Africa (African Group)
region-asia-pacific = Asia and the Pacific (Asia-Pacific Group)
region-eastern-european = Eastern Europe (Eastern European Group)
region-grulac = Latin America and the Caribbean (GRULAC)
region-weog = Western Europe and others (WEOG)
region-other = Other region
gender-another = another
gender-man = man
gender-non-binary = non-binary
gender-woman = woman

## The report

report-title = Session report: { $title }
heading-session = The session
role-chair = Chair
role-online-moderator = Online moderator
role-rapporteur = Rapporteur
# $person: name, affiliation, group and region, joined by list-separator.
person-role = { $role }: { $person }
heading-speakers = Speakers
column-name = Name
column-affiliation = Affiliation
column-group = Stakeholder group
column-region = Region
column-kind = Kind

heading-requests-turns = Requests and turns
column-figure = Figure
column-total = Total
row-requests = Requests
row-turns = Turns
breakdown-kind = By kind
breakdown-group = By stakeholder group
breakdown-region = By region
column-requests-onsite = Requests onsite
column-requests-online = Requests online
column-turns-onsite = Turns onsite
column-turns-online = Turns online
# $room, $moderator, $participant, $matrix: requests entered in the room (mic runner or chair), by the online moderator, from participant pages, relayed from Matrix.
requests-by-origin = Requests by origin: in the room { $room }, online moderator { $moderator }, participant pages { $participant }, Matrix { $matrix }.

heading-remote = Remote participation
remote-sentence = Online questions asked: { $asked }; forwarded to the queue: { $forwarded }; answered: { $answered }. Online requests merged as duplicates: { $merged }; rejected: { $rejected }; withdrawn: { $withdrawn }.

heading-questions = Questions and what became of them
no-requests = No one asked for the floor.
column-asked-at = Asked at
column-who = Who
column-request = Request
column-text = Text
column-outcome = What became of it
# $kind: kind-question or kind-comment; $channel: onsite or online.
request-cell = { $channel ->
    [onsite] { $kind }, onsite
   *[online] { $kind }, online
}
outcome-spoke = Given the floor at { $time }
outcome-spoke-untimed = Given the floor
outcome-speaking = Given the floor at { $time }, speaking at the end
outcome-speaking-untimed = Given the floor, speaking at the end
outcome-waiting = Still waiting at the end
outcome-pending = Still awaiting approval at the end
outcome-withdrawn = Withdrawn
outcome-rejected = Rejected
outcome-rejected-reason = Rejected: { $reason }
outcome-merged = Merged into another request
outcome-merged-into = Merged into { $name }'s request

heading-participants = Participants
attendance-peak = Participant pages connected at the peak: { $onsite } in the room, { $online } online (each channel's own peak).
attendance-none = No participant page connected.
remote-audience = Remote audience (largest count entered by the online moderator): { $peak }.
heading-gender = Gender (self-declared)
genders-withheld = Not published: with { $requests ->
    [one] { $requests } request
   *[other] { $requests } requests
}, any figure would let a count below { $threshold } be worked out.
# $declared and $not_given: a number, or shown-fewer, shown-hidden or
# shown-unpublished; $counts: gender-count for each gender, joined by
# list-separator.
genders-sentence = Declared with { $declared } of { $requests ->
    [one] { $requests } request
   *[other] { $requests } requests
}: { $counts }; not given: { $not_given }. Totals only, no one is named, and no count below { $threshold } is published.
gender-count = { $gender }: { $count }
shown-fewer = fewer than { $threshold }
shown-hidden = { $threshold } or more (hidden)
shown-unpublished = not published

heading-waiting = Waiting and speaking time
row-turns-from-queue = Turns from the queue
row-median-wait = Median wait
row-p90-wait = 90th percentile wait
row-speaking-time = Speaking time
row-speaking-share = Share of speaking time

heading-overrides = Chair overrides
overrides-none = None: every turn followed the fairness policy.
# $time: the time of day; $into: a duration; $channel: onsite or online.
override-call = at { $time } ({ $into } into the session): { $name } ({ $channel ->
    [onsite] onsite
   *[online] online
}) called out of order
override-pin = at { $time } ({ $into } into the session): { $name } ({ $channel ->
    [onsite] onsite
   *[online] online
}) pinned ahead of the policy
override-undo = at { $time } ({ $into } into the session): { $name } ({ $channel ->
    [onsite] onsite
   *[online] online
}) call undone, turn given back

## Charts

chart-queue = Requests waiting, per channel
chart-queue-name = Requests waiting per channel over the session
chart-queue-x = Time of day ({ $zone })
chart-queue-y = Waiting
chart-speaking = Speaking time, per channel
chart-speaking-name = Speaking time per channel
chart-speaking-x = Minutes
chart-bar = { $channel }: { $time }

## The event's participation report

conf-report-title = Event participation report
# $share: a percent above, or a dash when no session gave a turn.
conf-summary = Sessions in the programme: { $sessions }; with at least one turn: { $with_turns }. Online share of all turns: { $share }.
conf-heading-totals = The whole event
conf-heading-by-day = Online share of turns by day
conf-heading-by-kind = Online share of turns by session type
conf-heading-by-location = Online share of turns by location
conf-heading-sessions = Sessions
conf-column-session = Session
conf-column-day = Day
conf-column-time = Time
conf-column-kind = Session type
conf-column-location = Location
conf-column-sessions = Sessions
conf-column-online-share = Online share of turns
conf-column-median-wait-onsite = Median wait onsite
conf-column-median-wait-online = Median wait online
conf-column-audience = Remote audience peak
conf-no-turns = no turn
conf-chart-bar = { $key }: { $figures }
conf-no-sessions = No session in the programme.
conf-times-note = Each session's day and times are local, in its own time zone. Sessions taken out of the programme are left out.
conf-chart-by-day = Online share of turns, by day
conf-chart-by-kind = Online share of turns, by session type
conf-chart-by-location = Online share of turns, by location
conf-chart-x = Online share of turns (%)
