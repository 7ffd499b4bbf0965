// The join code page (`/join`, written by the broker in English): its
// strings in the language of its address (`/join?lang=fr`), of this tab's
// earlier link, of this device's choice, or of the browser.

import { applyStrings } from "./strings.js";

applyStrings();
