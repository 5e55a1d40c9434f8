// The private address check: the address never leaves the browser. It is lower-cased,
// hashed with SHA-1 (WebCrypto), and only the first 6 hex digits of the hash are sent to
// /api/v1/range/{prefix}; the match against the full hash happens here.
(function () {
  "use strict";
  const form = document.getElementById("check-form");
  if (!form) return;
  const result = document.getElementById("check-result");

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  async function sha1Hex(s) {
    const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(s));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0"))
      .join("")
      .toUpperCase();
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const email = document.getElementById("email").value.trim().toLowerCase();
    result.replaceChildren();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      result.append(el("p", { id: "check-error", class: "error" }, "Enter an e-mail address, e.g. jane@example.com."));
      return;
    }
    result.append(el("p", { class: "muted" }, "Checking…"));
    let entries;
    const hash = await sha1Hex(email);
    try {
      const r = await fetch("/api/v1/range/" + hash.slice(0, 6), { headers: { Accept: "application/json" } });
      if (!r.ok) throw new Error("the server answered " + r.status);
      entries = await r.json();
    } catch (e) {
      result.replaceChildren(el("p", { id: "check-error", class: "error" }, "The check failed (" + e.message + "). Try again in a minute."));
      return;
    }
    const hit = entries.find((x) => x.hashSuffix === hash.slice(6));
    result.replaceChildren();
    if (!hit) {
      result.append(el("p", { id: "check-none", class: "good" },
        "Not found: this address is in none of the breaches loaded here. That is no guarantee it was never exposed elsewhere."));
      return;
    }
    result.append(el("p", { id: "check-found", class: "bad" },
      "Found in " + hit.websites.length + " breach" + (hit.websites.length === 1 ? "" : "es") + ":"));
    const list = el("ul", { id: "check-breaches" });
    result.append(list);
    for (const name of hit.websites) {
      const li = el("li", { "data-breach": name });
      const a = el("a", { href: "/breaches/" + encodeURIComponent(name) }, name);
      li.append(a);
      list.append(li);
      try {
        const r = await fetch("/api/v3/breach/" + encodeURIComponent(name));
        if (r.ok) {
          const b = await r.json();
          a.textContent = b.Title || name;
          li.append(el("span", { class: "muted" }, " — " + b.BreachDate + ". Exposed: " + b.DataClasses.join(", ") + "."));
        }
      } catch (_) { /* the list of names stands on its own */ }
    }
    const next = el("div", { id: "check-next" });
    next.append(el("h2", {}, "What to do now"));
    const steps = el("ul");
    for (const t of [
      "Change the password of any account that used this address with a password found in these breaches, and everywhere you reused it.",
      "Turn on two-factor authentication where you can.",
      "Expect targeted phishing: messages that quote real orders, invoices or colleagues' names.",
      "If the breach held your company's documents, tell your security team; they can verify your domain here and see the details.",
    ]) steps.append(el("li", {}, t));
    next.append(steps);
    result.append(next);
  });
})();
