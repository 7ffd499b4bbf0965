# What floor's Matrix bridge says in its room (`floor bridge matrix
# --lang`). { $place } is a place in line (2 or more); { $shown } how many
# places the order lists (50); { $why } in in-line-why a reason-* message;
# { $reason } and { $why } in the standing-* messages what the staff or
# floor wrote; { $name } a person's name; { $standing } a standing-* or
# in-line message; { $hand } the reaction that raises a hand (✋).
# read-aloud is what a question says to be read aloud (English's always
# counts too). Terms as in docs/glossary.md.

standing-sending = ✋ Ha levantado la mano; floor la está registrando.
standing-pending = ✋ Ha levantado la mano. El moderador en línea la aprobará en breve.
place-next = Está en el primer puesto de la lista de espera
place-number = Está en el puesto { $place } de la lista de espera
place-beyond = Está en la lista de espera, después de los { $shown } primeros puestos
in-line = ✋ { $place }.
in-line-why = ✋ { $place } ({ $why }).
standing-speaking = 🎙 Tiene la palabra: active el micrófono y hable.
standing-done = Su intervención ha terminado. Gracias.
standing-withdrawn = Se ha bajado su mano.
standing-rejected = El moderador en línea no aceptó esta solicitud.
standing-rejected-why = El moderador en línea no aceptó esta solicitud: { $reason }
standing-merged = Su solicitud se ha fusionado con otra sobre el mismo punto; se escucharán juntas.
standing-refused = No se pudo levantar su mano: { $why }
reason-pinned = la presidencia adelantó su solicitud
reason-channel-turn = la sala y las personas en línea se turnan para hablar
reason-only-online = solo esperan solicitudes en línea
reason-first-time = quienes aún no han hablado van primero
called = 🎙 { $name }, tiene la palabra: active el micrófono ahora y hable.
already-up = Ya tiene la mano levantada; este mensaje corresponde a la misma solicitud. { $standing } Escriba !lower para bajarla.
nothing-to-lower = No tiene la mano levantada.
slow-down = Demasiados comandos a la vez: el bot ignora los suyos durante un minuto. Si tenía la mano levantada, sigue levantada.
pinned = { $hand } Reaccione con { $hand } a este mensaje para levantar la mano, o escriba !hand seguido de su pregunta. Quite la reacción, o escriba !lower, para bajar la mano. Añada «en voz alta» a una pregunta para que el moderador en línea la lea.
read-aloud = voz alta
