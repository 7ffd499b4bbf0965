# El informe de la sesión en español. Los mismos mensajes y las mismas
# variables que en inglés (en/report.ftl).

## Números y listas

decimal-separator = ,
list-separator = {", "}
percent = { $pct } %

## Fechas y horas

weekday-1 = lunes
weekday-2 = martes
weekday-3 = miércoles
weekday-4 = jueves
weekday-5 = viernes
weekday-6 = sábado
weekday-7 = domingo
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre
date = { $weekday }, { $day } de { $month } de { $year }
unknown-time = hora desconocida
zone-offset = { $zone }, { $offset }
span-same-day = { $date }, de { $start } a { $end } (horas de { $zone })
span-two-days = del { $date }, { $start }, al { $end_date }, { $end } (horas de { $zone })
when = { $span }; duración: { $length }.
duration-s = { $s } s
duration-min = { $m } min
duration-min-s = { $m } min { $s } s
duration-h-min = { $h } h { $m } min

## Vocabularios

not-given = Sin indicar
channel-onsite = En la sala
channel-online = En línea
kind-question = Pregunta
kind-comment = Comentario
group-government = Gobierno
group-civil-society = Sociedad civil
group-private-sector = Sector privado
group-technical-community = Comunidad técnica
group-intergovernmental = Organización intergubernamental
group-academia = Sector académico
group-other = Otro grupo
region-african = África (Grupo de los Estados de África)
region-asia-pacific = Asia y el Pacífico (Grupo de los Estados de Asia y el Pacífico)
region-eastern-european = Europa Oriental (Grupo de los Estados de Europa Oriental)
region-grulac = América Latina y el Caribe (GRULAC)
region-weog = Europa Occidental y otros Estados (WEOG)
region-other = Otra región
gender-another = otro género
gender-man = hombre
gender-non-binary = no binario
gender-woman = mujer

## El informe

report-title = Informe de la sesión: { $title }
heading-session = La sesión
role-chair = Presidencia
role-online-moderator = Moderación en línea
role-rapporteur = Relatoría
person-role = { $role }: { $person }
heading-speakers = Oradores
column-name = Nombre
column-affiliation = Organización
column-group = Grupo de partes interesadas
column-region = Región
column-kind = Tipo

heading-requests-turns = Solicitudes de palabra e intervenciones
column-figure = Indicador
column-total = En total
row-requests = Solicitudes de palabra
row-turns = Intervenciones
breakdown-kind = Por tipo
breakdown-group = Por grupo de partes interesadas
breakdown-region = Por región
column-requests-onsite = Solicitudes en la sala
column-requests-online = Solicitudes en línea
column-turns-onsite = Intervenciones en la sala
column-turns-online = Intervenciones en línea
requests-by-origin = Solicitudes de palabra según su origen: en la sala, { $room }; por la moderación en línea, { $moderator }; desde las páginas de participante, { $participant }; retransmitidas desde Matrix, { $matrix }.

heading-remote = Participación a distancia
remote-sentence = Preguntas formuladas en línea: { $asked }; enviadas a la lista de espera: { $forwarded }; con la palabra concedida: { $answered }. Solicitudes en línea fusionadas por duplicadas: { $merged }; rechazadas: { $rejected }; retiradas: { $withdrawn }.

heading-questions = Las solicitudes de palabra y su resultado
no-requests = Nadie pidió la palabra.
column-asked-at = Hora de la solicitud
column-who = Quién
column-request = Solicitud
column-text = Texto
column-outcome = Resultado
request-cell = { $channel ->
    [onsite] { $kind }, en la sala
   *[online] { $kind }, en línea
}
outcome-spoke = Se le dio la palabra a las { $time }
outcome-spoke-untimed = Se le dio la palabra
outcome-speaking = Se le dio la palabra a las { $time } y aún la tenía al final
outcome-speaking-untimed = Se le dio la palabra y aún la tenía al final
outcome-waiting = Aún en la lista de espera al final
outcome-pending = Aún pendiente de aprobación al final
outcome-withdrawn = Retirada
outcome-rejected = Rechazada
outcome-rejected-reason = Rechazada: { $reason }
outcome-merged = Fusionada con otra solicitud
outcome-merged-into = Fusionada con la solicitud de { $name }

heading-participants = Participación
attendance-peak = Páginas de participante conectadas en el momento de máxima asistencia: { $onsite } en la sala, { $online } en línea (el máximo de cada canal).
attendance-none = No se conectó ninguna página de participante.
remote-audience = Público a distancia (la mayor cifra registrada por la moderación en línea): { $peak }.
heading-gender = Género (declarado por cada persona)
genders-withheld = No se publica: con { $requests ->
    [one] { $requests } solicitud
   *[other] { $requests } solicitudes
}, cualquier cifra permitiría deducir un número inferior a { $threshold }.
genders-sentence = Género declarado en { $declared } de { $requests ->
    [one] { $requests } solicitud
   *[other] { $requests } solicitudes
}: { $counts }; sin declarar: { $not_given }. Solo se dan totales, no se nombra a nadie y no se publica ningún número inferior a { $threshold }.
gender-count = { $gender }: { $count }
shown-fewer = menos de { $threshold }
shown-hidden = { $threshold } o más (oculto)
shown-unpublished = no publicado

heading-waiting = Espera y tiempo de palabra
row-turns-from-queue = Intervenciones desde la lista de espera
row-median-wait = Espera mediana
row-p90-wait = Espera en el percentil 90
row-speaking-time = Tiempo de palabra
row-speaking-share = Proporción del tiempo de palabra

heading-overrides = Excepciones de la presidencia
overrides-none = Ninguna: todas las intervenciones siguieron la regla de equidad.
override-call = a las { $time } ({ $into } desde el inicio de la sesión): palabra dada a { $name } ({ $channel ->
    [onsite] en la sala
   *[online] en línea
}) fuera de turno
override-pin = a las { $time } ({ $into } desde el inicio de la sesión): prioridad dada a { $name } ({ $channel ->
    [onsite] en la sala
   *[online] en línea
}), al margen de la regla de equidad
override-undo = a las { $time } ({ $into } desde el inicio de la sesión): llamada a { $name } ({ $channel ->
    [onsite] en la sala
   *[online] en línea
}) anulada, la intervención no se cuenta

## Gráficos

chart-queue = Solicitudes en espera, por canal
chart-queue-name = Solicitudes en espera por canal a lo largo de la sesión
chart-queue-x = Hora ({ $zone })
chart-queue-y = En espera
chart-speaking = Tiempo de palabra, por canal
chart-speaking-name = Tiempo de palabra por canal
chart-speaking-x = Duración (min)
chart-bar = { $channel }: { $time }

## El informe de participación del evento

conf-report-title = Informe de participación del evento
conf-summary = Sesiones del programa: { $sessions }; con al menos una intervención: { $with_turns }. Proporción de intervenciones en línea sobre el total: { $share }.
conf-heading-totals = El evento en su conjunto
conf-heading-by-day = Proporción de intervenciones en línea por día
conf-heading-by-kind = Proporción de intervenciones en línea por tipo de sesión
conf-heading-by-location = Proporción de intervenciones en línea por lugar
conf-heading-sessions = Sesiones
conf-column-session = Sesión
conf-column-day = Día
conf-column-time = Horario
conf-column-kind = Tipo de sesión
conf-column-location = Lugar
conf-column-sessions = Sesiones
conf-column-online-share = Proporción de intervenciones en línea
conf-column-median-wait-onsite = Espera mediana en la sala
conf-column-median-wait-online = Espera mediana en línea
conf-column-audience = Máximo de público a distancia
conf-no-turns = ninguna intervención
conf-chart-bar = { $key }: { $figures }
conf-no-sessions = Ninguna sesión en el programa.
conf-times-note = El día y el horario de cada sesión son locales, en su propia zona horaria. Las sesiones retiradas del programa no se cuentan.
conf-chart-by-day = Proporción de intervenciones en línea, por día
conf-chart-by-kind = Proporción de intervenciones en línea, por tipo de sesión
conf-chart-by-location = Proporción de intervenciones en línea, por lugar
conf-chart-x = Proporción de intervenciones en línea (%)
