# Le rapport de séance en français. Mêmes messages et mêmes variables que
# l'anglais (en/report.ftl). Espace insécable avant « : » et « % »,
# espace fine insécable avant « ; », « ? » et « ! ».

## Nombres et listes

decimal-separator = ,
list-separator = {", "}
percent = { $pct } %

## Dates et heures

weekday-1 = lundi
weekday-2 = mardi
weekday-3 = mercredi
weekday-4 = jeudi
weekday-5 = vendredi
weekday-6 = samedi
weekday-7 = dimanche
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre
date = { $weekday } { $day } { $month } { $year }
unknown-time = heure inconnue
zone-offset = { $zone }, { $offset }
span-same-day = { $date }, de { $start } à { $end } (fuseau horaire : { $zone })
span-two-days = du { $date }, { $start }, au { $end_date }, { $end } (fuseau horaire : { $zone })
when = { $span } ; durée : { $length }.
duration-s = { $s } s
duration-min = { $m } min
duration-min-s = { $m } min { $s } s
duration-h-min = { $h } h { $m } min

## Vocabulaires

not-given = Non renseigné
channel-onsite = Dans la salle
channel-online = En ligne
kind-question = Question
kind-comment = Commentaire
group-government = Gouvernement
group-civil-society = Société civile
group-private-sector = Secteur privé
group-technical-community = Communauté technique
group-intergovernmental = Organisation intergouvernementale
group-academia = Milieu universitaire
group-other = Autre groupe
region-african = Afrique (Groupe des États d'Afrique)
region-asia-pacific = Asie et Pacifique (Groupe des États d'Asie et du Pacifique)
region-eastern-european = Europe orientale (Groupe des États d'Europe orientale)
region-grulac = Amérique latine et Caraïbes (GRULAC)
region-weog = Europe occidentale et autres États (WEOG)
region-other = Autre région
gender-another = autre genre
gender-man = homme
gender-non-binary = non binaire
gender-woman = femme

## Le rapport

report-title = Rapport de séance : { $title }
heading-session = La séance
role-chair = Présidence
role-online-moderator = Modérateur en ligne
role-rapporteur = Rapporteur
person-role = { $role } : { $person }
heading-speakers = Intervenants
column-name = Nom
column-affiliation = Organisation
column-group = Groupe de parties prenantes
column-region = Région
column-kind = Type

heading-requests-turns = Demandes de parole et interventions
column-figure = Indicateur
column-total = Ensemble
row-requests = Demandes de parole
row-turns = Interventions
breakdown-kind = Par type
breakdown-group = Par groupe de parties prenantes
breakdown-region = Par région
column-requests-onsite = Demandes dans la salle
column-requests-online = Demandes en ligne
column-turns-onsite = Interventions dans la salle
column-turns-online = Interventions en ligne
requests-by-origin = Demandes de parole selon leur origine : dans la salle, { $room } ; par le modérateur en ligne, { $moderator } ; depuis les pages des participants, { $participant } ; relayées depuis Matrix, { $matrix }.

heading-remote = Participation à distance
remote-sentence = Questions posées en ligne : { $asked } ; transmises à la file d'attente : { $forwarded } ; ayant obtenu la parole : { $answered }. Demandes en ligne fusionnées comme doublons : { $merged } ; refusées : { $rejected } ; retirées : { $withdrawn }.

heading-questions = Les demandes de parole et leur suite
no-requests = Personne n'a demandé la parole.
column-asked-at = Heure de la demande
column-who = Qui
column-request = Demande
column-text = Texte
column-outcome = Suite donnée
request-cell = { $channel ->
    [onsite] { $kind }, dans la salle
   *[online] { $kind }, en ligne
}
outcome-spoke = A eu la parole à { $time }
outcome-spoke-untimed = A eu la parole
outcome-speaking = A reçu la parole à { $time } et l'avait encore à la fin
outcome-speaking-untimed = A reçu la parole et l'avait encore à la fin
outcome-waiting = Toujours dans la file d'attente à la fin
outcome-pending = Toujours en attente d'approbation à la fin
outcome-withdrawn = Retirée
outcome-rejected = Refusée
outcome-rejected-reason = Refusée : { $reason }
outcome-merged = Fusionnée avec une autre demande
outcome-merged-into = Fusionnée avec la demande de { $name }

heading-participants = Participation
attendance-peak = Pages des participants connectées au plus fort : { $onsite } dans la salle, { $online } en ligne (pic propre à chaque canal).
attendance-none = Aucune page de participant ne s'est connectée.
remote-audience = Public à distance (plus grand nombre saisi par le modérateur en ligne) : { $peak }.
heading-gender = Genre (déclaré par chacun)
genders-withheld = Non publié : avec { $requests ->
    [one] { $requests } demande
   *[other] { $requests } demandes
}, tout chiffre permettrait de déduire un effectif inférieur à { $threshold }.
genders-sentence = Genre déclaré dans { $declared } sur { $requests ->
    [one] { $requests } demande
   *[other] { $requests } demandes
} : { $counts } ; non déclaré : { $not_given }. Totaux seulement : personne n'est nommé et aucun effectif inférieur à { $threshold } n'est publié.
gender-count = { $gender } : { $count }
shown-fewer = moins de { $threshold }
shown-hidden = { $threshold } ou plus (masqué)
shown-unpublished = non publié

heading-waiting = Attente et temps de parole
row-turns-from-queue = Interventions issues de la file d'attente
row-median-wait = Attente médiane
row-p90-wait = Attente au 90e centile
row-speaking-time = Temps de parole
row-speaking-share = Part du temps de parole

heading-overrides = Dérogations de la présidence
overrides-none = Aucune : chaque intervention a suivi la règle d'équité.
override-call = à { $time } ({ $into } après le début de la séance) : parole donnée à { $name } ({ $channel ->
    [onsite] dans la salle
   *[online] en ligne
}) hors de son tour
override-pin = à { $time } ({ $into } après le début de la séance) : priorité donnée à { $name } ({ $channel ->
    [onsite] dans la salle
   *[online] en ligne
}), hors de la règle d'équité
override-undo = à { $time } ({ $into } après le début de la séance) : appel de { $name } ({ $channel ->
    [onsite] dans la salle
   *[online] en ligne
}) annulé, l'intervention n'est pas comptée

## Graphiques

chart-queue = Demandes en attente, par canal
chart-queue-name = Demandes en attente par canal au fil de la séance
chart-queue-x = Heure ({ $zone })
chart-queue-y = En attente
chart-speaking = Temps de parole, par canal
chart-speaking-name = Temps de parole par canal
chart-speaking-x = Durée (min)
chart-bar = { $channel } : { $time }

## Le rapport de participation de l'événement

conf-report-title = Rapport de participation de l'événement
conf-summary = Séances au programme : { $sessions } ; avec au moins une intervention : { $with_turns }. Part des interventions en ligne sur l'ensemble : { $share }.
conf-heading-totals = L'événement dans son ensemble
conf-heading-by-day = Part des interventions en ligne par jour
conf-heading-by-kind = Part des interventions en ligne par type de séance
conf-heading-by-location = Part des interventions en ligne par lieu
conf-heading-sessions = Séances
conf-column-session = Séance
conf-column-day = Jour
conf-column-time = Horaire
conf-column-kind = Type de séance
conf-column-location = Lieu
conf-column-sessions = Séances
conf-column-online-share = Part des interventions en ligne
conf-column-median-wait-onsite = Attente médiane dans la salle
conf-column-median-wait-online = Attente médiane en ligne
conf-column-audience = Pic de l'audience à distance
conf-no-turns = aucune intervention
conf-chart-bar = { $key } : { $figures }
conf-no-sessions = Aucune séance au programme.
conf-times-note = Le jour et les horaires de chaque séance sont locaux, dans son propre fuseau horaire. Les séances retirées du programme ne sont pas comptées.
conf-chart-by-day = Part des interventions en ligne, par jour
conf-chart-by-kind = Part des interventions en ligne, par type de séance
conf-chart-by-location = Part des interventions en ligne, par lieu
conf-chart-x = Part des interventions en ligne (en %)
