// Links that hold up for people: the join code read off the projector and
// typed at /join (lower case, with dashes) opens the participant page; a
// staff page reloaded keeps working; "Copy link" gives a link that opens
// the page in a new tab; `/` and `/join` pass axe-core.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startFloor, killFloor, dataDir, createRoom, launch, open, root } from "./harness.mjs";

const WIDE = { width: 1920, height: 1080 };
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1440, height: 900 };
const AXE = join(root, ".tools", "npm", "node_modules", "axe-core", "axe.min.js");

let floor, browser, links;

before(async () => {
  floor = await startFloor(dataDir());
  links = await createRoom(floor, "plenary", "Main hall");
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (floor) await killFloor(floor);
});

/** axe-core's violations on `page` (its context bypasses the page's CSP
 *  so the script can be added), as "id: targets" lines. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => (await window.axe.run()).violations);
  return found.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test("the code under the projector's QR code, typed at /join, opens the participant page", async () => {
  const display = await open(browser, links.display, WIDE);
  await display.waitForFunction(() => /^[2-9A-Z]{4}-[2-9A-Z]{4}$/.test(document.getElementById("join-code").textContent.replace(/[\u2068\u2069]/g, "")));
  const code = await display.textContent("#join-code");
  const address = await display.textContent("#join-link");
  assert.ok(address.includes(`${new URL(floor.base).host}/join`), address);
  assert.ok(!address.includes("#token"), address);
  const box = await display.locator("#join-code").boundingBox();
  assert.ok(box.height >= 40, `the code is ${box.height}px high`);

  const context = await browser.newContext({ viewport: PHONE, bypassCSP: true });
  const phone = await context.newPage();
  await phone.goto(`${floor.base}/join`);
  assert.deepEqual(await violations(phone), []);
  const typed = `${code.slice(0, 2)}-${code.slice(2)}`.toLowerCase();
  await phone.fill("#code", typed);
  await phone.click("button[type=submit]");
  await phone.waitForSelector("body[data-status=connected]");
  assert.equal(new URL(phone.url()).pathname, "/r/plenary/join");

  // A wrong code says so on the same page.
  await phone.goto(`${floor.base}/join`);
  await phone.fill("#code", "zzzz-zzzz");
  await phone.click("button[type=submit]");
  await phone.waitForSelector("#code-error");
  assert.match(await phone.textContent("#code-error"), /No session has this code/);
  assert.deepEqual(await violations(phone), []);
  await context.close();
  await display.context().close();
});

test("the landing page explains floor and holds the code box", async () => {
  const context = await browser.newContext({ viewport: LAPTOP, bypassCSP: true });
  const page = await context.newPage();
  const response = await page.goto(`${floor.base}/`);
  assert.equal(response.status(), 200);
  assert.ok(await page.isVisible("form[action='/join'] #code"));
  assert.deepEqual(await violations(page), []);
  await context.close();
});

test("a staff page keeps working after a reload, and Copy link opens it elsewhere", async () => {
  const runner = await open(browser, links.runner, PHONE);
  const context = runner.context();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: floor.base });
  assert.ok(!runner.url().includes("token"), "the token left the address bar");
  await runner.reload();
  await runner.waitForSelector("body[data-status=connected]");

  await runner.click("#copy-link");
  await runner.waitForFunction(() => document.querySelector(".copy-link [role=status]").textContent !== "");
  const copied = await runner.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, links.runner);

  // The copied link, opened in another browser, is the runner's page.
  const other = await open(browser, copied, PHONE);
  await other.fill("#name", "Amina Diallo");
  await other.click("#add button[type=submit]");
  await runner.waitForFunction(() => document.getElementById("hands").textContent.includes("Amina Diallo"));
  await other.context().close();
  await context.close();
});
