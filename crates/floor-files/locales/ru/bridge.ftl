# What floor's Matrix bridge says in its room (`floor bridge matrix
# --lang`). { $place } is a place in line (2 or more); { $shown } how many
# places the order lists (50); { $why } in in-line-why a reason-* message;
# { $reason } and { $why } in the standing-* messages what the staff or
# floor wrote; { $name } a person's name; { $standing } a standing-* or
# in-line message; { $hand } the reaction that raises a hand (✋).
# read-aloud is what a question says to be read aloud (English's always
# counts too). Terms as in docs/glossary.md.

standing-sending = ✋ Ваша рука поднята; floor принимает заявку.
standing-pending = ✋ Ваша рука поднята. Онлайн-модератор скоро одобрит заявку.
place-next = Ваша заявка следующая в очереди
place-number = Ваш номер в очереди: { $place }
place-beyond = Ваша заявка в очереди, после { $shown ->
    [1] первого места
    [one] первых { $shown } места
   *[other] первых { $shown } мест
}
in-line = ✋ { $place }.
in-line-why = ✋ { $place } ({ $why }).
standing-speaking = 🎙 Вам предоставлено слово: включите микрофон и говорите.
standing-done = Ваше выступление окончено. Спасибо.
standing-withdrawn = Ваша рука опущена.
standing-rejected = Онлайн-модератор не принял эту заявку.
standing-rejected-why = Онлайн-модератор не принял эту заявку: { $reason }
standing-merged = Ваша заявка объединена с другой по тому же вопросу; они прозвучат вместе.
standing-refused = Не удалось поднять руку: { $why }
reason-pinned = председатель поднял вашу заявку выше
reason-channel-turn = зал и онлайн-участники выступают поочерёдно
reason-only-online = ждут только онлайн-заявки
reason-first-time = сначала выступают те, кто ещё не выступал
called = 🎙 { $name }, вам предоставлено слово: включите микрофон и говорите.
already-up = Ваша рука уже поднята; это та же заявка. { $standing } Напишите !lower, чтобы опустить руку.
nothing-to-lower = У вас нет поднятой руки.
slow-down = Слишком много команд сразу: бот не принимает ваши команды в течение минуты. Если рука поднята, она остаётся поднятой.
pinned = { $hand } Отреагируйте на это сообщение { $hand }, чтобы поднять руку, или напишите !hand и свой вопрос. Уберите реакцию или напишите !lower, чтобы опустить руку. Добавьте к вопросу слово «вслух», чтобы онлайн-модератор зачитал его.
read-aloud = вслух
