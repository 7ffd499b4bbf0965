# Отчёт о сессии на русском языке. Те же сообщения и те же переменные,
# что и в английском файле (en/report.ftl).

## Числа и перечни

decimal-separator = ,
list-separator = {", "}
percent = { $pct } %

## Даты и время

weekday-1 = понедельник
weekday-2 = вторник
weekday-3 = среда
weekday-4 = четверг
weekday-5 = пятница
weekday-6 = суббота
weekday-7 = воскресенье
# Месяцы в родительном падеже: «2 декабря».
month-1 = января
month-2 = февраля
month-3 = марта
month-4 = апреля
month-5 = мая
month-6 = июня
month-7 = июля
month-8 = августа
month-9 = сентября
month-10 = октября
month-11 = ноября
month-12 = декабря
date = { $weekday }, { $day } { $month } { $year } г.
unknown-time = неизвестное время
zone-offset = { $zone }, { $offset }
span-same-day = { $date }, с { $start } до { $end } (время по часовому поясу { $zone })
span-two-days = { $date }, { $start } — { $end_date }, { $end } (время по часовому поясу { $zone })
when = { $span }; продолжительность: { $length }.
duration-s = { $s } с
duration-min = { $m } мин
duration-min-s = { $m } мин { $s } с
duration-h-min = { $h } ч { $m } мин

## Словари

not-given = Не указано
channel-onsite = В зале
channel-online = Онлайн
kind-question = Вопрос
kind-comment = Комментарий
group-government = Правительство
group-civil-society = Гражданское общество
group-private-sector = Частный сектор
group-technical-community = Техническое сообщество
group-intergovernmental = Межправительственная организация
group-academia = Академические круги
group-other = Другая группа
region-african = Африка (Группа африканских государств)
region-asia-pacific = Азия и Тихий океан (Группа азиатско-тихоокеанских государств)
region-eastern-european = Восточная Европа (Группа восточноевропейских государств)
region-grulac = Латинская Америка и Карибский бассейн (ГРУЛАК)
region-weog = Западная Европа и другие государства (ЗЕДГ)
region-other = Другой регион
gender-another = другой гендер
gender-man = мужчина
gender-non-binary = небинарная персона
gender-woman = женщина

## Отчёт

report-title = Отчёт о сессии «{ $title }»
heading-session = Сессия
role-chair = Председатель
role-online-moderator = Онлайн-модератор
role-rapporteur = Докладчик
person-role = { $role }: { $person }
heading-speakers = Выступающие
column-name = Имя
column-affiliation = Организация
column-group = Группа заинтересованных сторон
column-region = Регион
column-kind = Тип

heading-requests-turns = Заявки на выступление и выступления
column-figure = Показатель
column-total = Всего
row-requests = Заявки на выступление
row-turns = Выступления
breakdown-kind = По типу
breakdown-group = По группам заинтересованных сторон
breakdown-region = По регионам
column-requests-onsite = Заявки из зала
column-requests-online = Заявки онлайн
column-turns-onsite = Выступления в зале
column-turns-online = Выступления онлайн
requests-by-origin = Заявки на выступление по источнику: в зале — { $room }, через онлайн-модератора — { $moderator }, со страниц участников — { $participant }, из Matrix — { $matrix }.

heading-remote = Дистанционное участие
remote-sentence = Вопросов задано онлайн: { $asked }; передано в очередь: { $forwarded }; получили слово: { $answered }. Онлайн-заявок объединено как повторы: { $merged }; отклонено: { $rejected }; отозвано: { $withdrawn }.

heading-questions = Заявки и их итоги
no-requests = Никто не просил слова.
column-asked-at = Время заявки
column-who = Кто
column-request = Заявка
column-text = Текст
column-outcome = Итог
request-cell = { $channel ->
    [onsite] { $kind }, в зале
   *[online] { $kind }, онлайн
}
outcome-spoke = Слово предоставлено в { $time }
outcome-spoke-untimed = Слово предоставлено
outcome-speaking = Слово предоставлено в { $time }, выступление шло в конце
outcome-speaking-untimed = Слово предоставлено, выступление шло в конце
outcome-waiting = К концу всё ещё в очереди
outcome-pending = К концу всё ещё ждёт одобрения
outcome-withdrawn = Отозвана
outcome-rejected = Отклонена
outcome-rejected-reason = Отклонена: { $reason }
outcome-merged = Объединена с другой заявкой
outcome-merged-into = Объединена с заявкой: { $name }

heading-participants = Участники
attendance-peak = Страниц участников подключено на пике: { $onsite } в зале, { $online } онлайн (у каждого канала свой пик).
attendance-none = Ни одна страница участника не подключалась.
remote-audience = Дистанционная аудитория (наибольшее число, введённое онлайн-модератором): { $peak }.
heading-gender = Гендер (по собственному указанию)
genders-withheld = Не публикуется: при { $requests ->
    [one] { $requests } заявке
   *[other] { $requests } заявках
} любая цифра позволила бы вычислить число меньше { $threshold }.
genders-sentence = Гендер указан: { $declared } из { $requests ->
    [one] { $requests } заявки
   *[other] { $requests } заявок
}: { $counts }; не указан: { $not_given }. Только итоги, без имён; ни одно число меньше { $threshold } не публикуется.
gender-count = { $gender }: { $count }
shown-fewer = меньше { $threshold }
shown-hidden = { $threshold } или больше (скрыто)
shown-unpublished = не публикуется

heading-waiting = Ожидание и время выступлений
row-turns-from-queue = Выступления из очереди
row-median-wait = Медиана ожидания
row-p90-wait = 90-й процентиль ожидания
row-speaking-time = Время выступлений
row-speaking-share = Доля времени выступлений

heading-overrides = Отступления председателя от правил
overrides-none = Нет: все выступления шли по правилу справедливой очереди.
override-call = в { $time } ({ $into } от начала сессии): { $name } ({ $channel ->
    [onsite] в зале
   *[online] онлайн
}) — слово предоставлено вне очереди
override-pin = в { $time } ({ $into } от начала сессии): { $name } ({ $channel ->
    [onsite] в зале
   *[online] онлайн
}) — перемещение в начало очереди в обход правила
override-undo = в { $time } ({ $into } от начала сессии): { $name } ({ $channel ->
    [onsite] в зале
   *[online] онлайн
}) — вызов отменён, выступление не засчитано

## Диаграммы

chart-queue = Ожидающие заявки по каналам
chart-queue-name = Ожидающие заявки по каналам в ходе сессии
chart-queue-x = Время ({ $zone })
chart-queue-y = Ожидают
chart-speaking = Время выступлений по каналам
chart-speaking-name = Время выступлений по каналам
chart-speaking-x = Минуты
chart-bar = { $channel }: { $time }

## Отчёт об участии в мероприятии

conf-report-title = Отчёт об участии в мероприятии
conf-summary = Сессий в программе: { $sessions }; хотя бы с одним выступлением: { $with_turns }. Доля онлайн-выступлений среди всех: { $share }.
conf-heading-totals = Мероприятие в целом
conf-heading-by-day = Доля онлайн-выступлений по дням
conf-heading-by-kind = Доля онлайн-выступлений по типам сессий
conf-heading-by-location = Доля онлайн-выступлений по залам
conf-heading-sessions = Сессии
conf-column-session = Сессия
conf-column-day = День
conf-column-time = Время
conf-column-kind = Тип сессии
conf-column-location = Место
conf-column-sessions = Сессии
conf-column-online-share = Доля онлайн-выступлений
conf-column-median-wait-onsite = Медиана ожидания в зале
conf-column-median-wait-online = Медиана ожидания онлайн
conf-column-audience = Пик удалённой аудитории
conf-no-turns = нет выступлений
conf-chart-bar = { $key }: { $figures }
conf-no-sessions = В программе нет сессий.
conf-times-note = День и время каждой сессии указаны по местному времени, в её часовом поясе. Сессии, снятые с программы, не учитываются.
conf-chart-by-day = Доля онлайн-выступлений, по дням
conf-chart-by-kind = Доля онлайн-выступлений, по типам сессий
conf-chart-by-location = Доля онлайн-выступлений, по залам
conf-chart-x = Доля онлайн-выступлений (%)
