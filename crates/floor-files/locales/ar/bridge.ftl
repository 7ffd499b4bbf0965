# What floor's Matrix bridge says in its room (`floor bridge matrix
# --lang`). { $place } is a place in line (2 or more); { $shown } how many
# places the order lists (50); { $why } in in-line-why a reason-* message;
# { $reason } and { $why } in the standing-* messages what the staff or
# floor wrote; { $name } a person's name; { $standing } a standing-* or
# in-line message; { $hand } the reaction that raises a hand (✋).
# read-aloud is what a question says to be read aloud (English's always
# counts too). Terms as in docs/glossary.md.

standing-sending = ✋ يدك مرفوعة؛ يسجّل floor طلبك.
standing-pending = ✋ يدك مرفوعة. سيوافق المشرف عبر الإنترنت على طلبك قريبًا.
place-next = طلبك التالي في قائمة الانتظار
place-number = ترتيبك { $place } في قائمة الانتظار
place-beyond = طلبك في قائمة الانتظار، بعد { $shown ->
    [zero] { $shown } طلب
    [one] الطلب الأول
    [two] الطلبين الأولين
    [few] أول { $shown } طلبات
    [many] أول { $shown } طلبًا
   *[other] أول { $shown } طلب
}
in-line = ✋ { $place }.
in-line-why = ✋ { $place } ({ $why }).
standing-speaking = 🎙 الكلمة لك الآن: يُرجى تشغيل الميكروفون والتحدث.
standing-done = انتهت مداخلتك. شكرًا لك.
standing-withdrawn = أُنزلت يدك.
standing-rejected = لم يقبل المشرف عبر الإنترنت هذا الطلب.
standing-rejected-why = لم يقبل المشرف عبر الإنترنت هذا الطلب: { $reason }
standing-merged = دُمج طلبك مع طلب آخر حول النقطة نفسها، وسيُستمع إليهما معًا.
standing-refused = تعذّر رفع يدك: { $why }
reason-pinned = قدّم رئيس الجلسة طلبك
reason-channel-turn = تتناوب القاعة والمشاركون عبر الإنترنت على الكلمة
reason-only-online = لا تنتظر إلا طلبات عبر الإنترنت
reason-first-time = يتقدّم من لم يتحدث بعد
called = 🎙 { $name }، الكلمة لك الآن: يُرجى تشغيل الميكروفون والتحدث.
already-up = يدك مرفوعة بالفعل، وهذه الرسالة للطلب نفسه. { $standing } لإنزالها، يُرجى كتابة ⁦!lower⁩.
nothing-to-lower = ليست لديك يد مرفوعة.
slow-down = أوامر كثيرة في وقت واحد: سيتجاهل البوت أوامرك لمدة دقيقة. إن كانت يدك مرفوعة فستبقى مرفوعة.
pinned = { $hand } لرفع يدك، يُرجى التفاعل مع هذه الرسالة بـ { $hand }، أو كتابة ⁦!hand⁩ متبوعًا بسؤالك. لإنزال يدك، يُرجى إزالة التفاعل أو كتابة ⁦!lower⁩. ليقرأ المشرف عبر الإنترنت سؤالك، يُرجى إضافة «بصوت عال» إليه.
read-aloud = بصوت عال
