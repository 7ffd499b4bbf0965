# تقرير الجلسة باللغة العربية. الرسائل والمتغيرات نفسها كما في الملف
# الإنجليزي (en/report.ftl). الفاصلة «،» والفاصلة المنقوطة «؛».

## الأعداد والقوائم

decimal-separator = .
list-separator = {"، "}
percent = { $pct }٪

## التواريخ والأوقات

weekday-1 = الاثنين
weekday-2 = الثلاثاء
weekday-3 = الأربعاء
weekday-4 = الخميس
weekday-5 = الجمعة
weekday-6 = السبت
weekday-7 = الأحد
month-1 = كانون الثاني/يناير
month-2 = شباط/فبراير
month-3 = آذار/مارس
month-4 = نيسان/أبريل
month-5 = أيار/مايو
month-6 = حزيران/يونيه
month-7 = تموز/يوليه
month-8 = آب/أغسطس
month-9 = أيلول/سبتمبر
month-10 = تشرين الأول/أكتوبر
month-11 = تشرين الثاني/نوفمبر
month-12 = كانون الأول/ديسمبر
date = { $weekday }، { $day } { $month } { $year }
unknown-time = وقت غير معروف
zone-offset = { $zone }، { $offset }
span-same-day = { $date }، من { $start } إلى { $end } (الأوقات بتوقيت { $zone })
span-two-days = من { $date }، { $start } إلى { $end_date }، { $end } (الأوقات بتوقيت { $zone })
when = { $span }؛ المدة: { $length }.
duration-s = { $s ->
    [one] ثانية واحدة
    [two] ثانيتان
    [few] { $s } ثوانٍ
   *[other] { $s } ثانية
}
duration-min = { $m ->
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $m } دقائق
   *[other] { $m } دقيقة
}
duration-min-s = { $m ->
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $m } دقائق
   *[other] { $m } دقيقة
} و{ $s ->
    [one] ثانية واحدة
    [two] ثانيتان
    [few] { $s } ثوانٍ
   *[other] { $s } ثانية
}
duration-h-min = { $h ->
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $h } ساعات
   *[other] { $h } ساعة
} و{ $m ->
    [zero] 0 دقيقة
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $m } دقائق
   *[other] { $m } دقيقة
}

## المفردات

not-given = غير محدد
channel-onsite = في القاعة
channel-online = عبر الإنترنت
kind-question = سؤال
kind-comment = تعليق
group-government = الحكومات
group-civil-society = المجتمع المدني
group-private-sector = القطاع الخاص
group-technical-community = المجتمع التقني
group-intergovernmental = منظمة حكومية دولية
group-academia = الأوساط الأكاديمية
group-other = فئة أخرى
region-african = أفريقيا (مجموعة الدول الأفريقية)
region-asia-pacific = آسيا والمحيط الهادئ (مجموعة دول آسيا والمحيط الهادئ)
region-eastern-european = أوروبا الشرقية (مجموعة دول أوروبا الشرقية)
region-grulac = أمريكا اللاتينية ومنطقة البحر الكاريبي (GRULAC)
region-weog = أوروبا الغربية ودول أخرى (WEOG)
region-other = منطقة أخرى
gender-another = نوع جنس آخر
gender-man = رجل
gender-non-binary = غير ثنائي
gender-woman = امرأة

## التقرير

report-title = تقرير الجلسة: { $title }
heading-session = الجلسة
role-chair = رئيس الجلسة
role-online-moderator = المشرف عبر الإنترنت
role-rapporteur = المقرر
person-role = { $role }: { $person }
heading-speakers = المتحدثون
column-name = الاسم
column-affiliation = الجهة
column-group = فئة أصحاب المصلحة
column-region = المنطقة
column-kind = النوع

heading-requests-turns = طلبات الكلمة والمداخلات
column-figure = المؤشر
column-total = المجموع
row-requests = طلبات الكلمة
row-turns = المداخلات
breakdown-kind = حسب النوع
breakdown-group = حسب فئة أصحاب المصلحة
breakdown-region = حسب المنطقة
column-requests-onsite = الطلبات من القاعة
column-requests-online = الطلبات عبر الإنترنت
column-turns-onsite = المداخلات في القاعة
column-turns-online = المداخلات عبر الإنترنت
requests-by-origin = طلبات الكلمة حسب مصدرها: { $room } أُدخلت في القاعة، و{ $moderator } أدخلها المشرف عبر الإنترنت، و{ $participant } أُرسلت من صفحات المشاركين، و{ $matrix } نُقلت من Matrix.

heading-remote = المشاركة عن بُعد
remote-sentence = الأسئلة المطروحة عبر الإنترنت: { $asked }؛ المحالة إلى قائمة الانتظار: { $forwarded }؛ التي أُعطيت الكلمة: { $answered }. طلبات الكلمة عبر الإنترنت المدمجة لتكرارها: { $merged }؛ المرفوضة: { $rejected }؛ المسحوبة: { $withdrawn }.

heading-questions = طلبات الكلمة وما آلت إليه
no-requests = لم يطلب أحد الكلمة.
column-asked-at = وقت الطلب
column-who = مقدم الطلب
column-request = الطلب
column-text = النص
column-outcome = ما آل إليه
request-cell = { $channel ->
    [onsite] { $kind }، في القاعة
   *[online] { $kind }، عبر الإنترنت
}
outcome-spoke = أُعطي الكلمة في { $time }
outcome-spoke-untimed = أُعطي الكلمة
outcome-speaking = أُعطي الكلمة في { $time }، وكان يتحدث عند النهاية
outcome-speaking-untimed = أُعطي الكلمة، وكان يتحدث عند النهاية
outcome-waiting = لا يزال في قائمة الانتظار عند النهاية
outcome-pending = لا يزال بانتظار القبول عند النهاية
outcome-withdrawn = مسحوب
outcome-rejected = مرفوض
outcome-rejected-reason = مرفوض: { $reason }
outcome-merged = دُمج مع طلب آخر
outcome-merged-into = دُمج مع طلب { $name }

heading-participants = المشاركون
attendance-peak = صفحات المشاركين المتصلة في الذروة: { $onsite } في القاعة، و{ $online } عبر الإنترنت (ذروة كل قناة على حدة).
attendance-none = لم تتصل أي صفحة مشارك.
remote-audience = الجمهور عن بُعد (أكبر عدد أدخله المشرف عبر الإنترنت): { $peak }.
heading-gender = نوع الجنس (كما صرّح به أصحابه)
genders-withheld = لا يُنشر: مع { $requests ->
    [zero] { $requests } طلب
    [one] طلب واحد
    [two] طلبين
    [few] { $requests } طلبات
    [many] { $requests } طلبًا
   *[other] { $requests } طلب
}، يمكن لأي رقم أن يكشف عددًا أقل من { $threshold }.
genders-sentence = صُرّح بنوع الجنس في { $declared } من أصل { $requests ->
    [zero] { $requests } طلب
    [one] طلب واحد
    [two] طلبين
    [few] { $requests } طلبات
    [many] { $requests } طلبًا
   *[other] { $requests } طلب
}: { $counts }؛ دون تصريح: { $not_given }. تُنشر المجاميع فقط، ولا يُذكر اسم أحد، ولا يُنشر أي عدد أقل من { $threshold }.
gender-count = { $gender }: { $count }
shown-fewer = أقل من { $threshold }
shown-hidden = { $threshold } أو أكثر (مخفي)
shown-unpublished = غير منشور

heading-waiting = الانتظار ووقت الكلام
row-turns-from-queue = المداخلات من قائمة الانتظار
row-median-wait = وسيط مدة الانتظار
row-p90-wait = المئين التسعون لمدة الانتظار
row-speaking-time = وقت الكلام
row-speaking-share = نسبة وقت الكلام

heading-overrides = استثناءات رئيس الجلسة
overrides-none = لا يوجد: اتبعت كل المداخلات قاعدة الإنصاف.
override-call = في { $time } (بعد { $into } من بداية الجلسة): أُعطي { $name } ({ $channel ->
    [onsite] في القاعة
   *[online] عبر الإنترنت
}) الكلمة خارج الترتيب
override-pin = في { $time } (بعد { $into } من بداية الجلسة): قُدِّم { $name } ({ $channel ->
    [onsite] في القاعة
   *[online] عبر الإنترنت
}) إلى رأس القائمة خلافًا للقاعدة
override-undo = في { $time } (بعد { $into } من بداية الجلسة): أُلغي إعطاء الكلمة لـ{ $name } ({ $channel ->
    [onsite] في القاعة
   *[online] عبر الإنترنت
})، ولم تُحتسب المداخلة

## الرسوم البيانية

chart-queue = الطلبات المنتظرة، حسب القناة
chart-queue-name = الطلبات المنتظرة حسب القناة على مدى الجلسة
chart-queue-x = الوقت ({ $zone })
chart-queue-y = المنتظرة
chart-speaking = وقت الكلام، حسب القناة
chart-speaking-name = وقت الكلام حسب القناة
chart-speaking-x = الدقائق
chart-bar = { $channel }: { $time }

## تقرير المشاركة في الفعالية

conf-report-title = تقرير المشاركة في الفعالية
conf-summary = الجلسات في البرنامج: { $sessions }؛ الجلسات التي شهدت مداخلة واحدة على الأقل: { $with_turns }. نسبة المداخلات عبر الإنترنت من مجموع المداخلات: { $share }.
conf-heading-totals = الفعالية بأكملها
conf-heading-by-day = نسبة المداخلات عبر الإنترنت حسب اليوم
conf-heading-by-kind = نسبة المداخلات عبر الإنترنت حسب نوع الجلسة
conf-heading-by-location = نسبة المداخلات عبر الإنترنت حسب المكان
conf-heading-sessions = الجلسات
conf-column-session = الجلسة
conf-column-day = اليوم
conf-column-time = الوقت
conf-column-kind = نوع الجلسة
conf-column-location = المكان
conf-column-sessions = عدد الجلسات
conf-column-online-share = نسبة المداخلات عبر الإنترنت
conf-column-median-wait-onsite = وسيط مدة الانتظار في القاعة
conf-column-median-wait-online = وسيط مدة الانتظار عبر الإنترنت
conf-column-audience = ذروة الجمهور عن بُعد
conf-no-turns = لا مداخلات
conf-chart-bar = { $key }: { $figures }
conf-no-sessions = لا توجد جلسات في البرنامج.
conf-times-note = يوم كل جلسة وأوقاتها بالتوقيت المحلي، في منطقتها الزمنية. لا تُحتسب الجلسات التي سُحبت من البرنامج.
conf-chart-by-day = نسبة المداخلات عبر الإنترنت، حسب اليوم
conf-chart-by-kind = نسبة المداخلات عبر الإنترنت، حسب نوع الجلسة
conf-chart-by-location = نسبة المداخلات عبر الإنترنت، حسب المكان
conf-chart-x = نسبة المداخلات عبر الإنترنت (٪)
