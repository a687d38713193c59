/* Signup form embed, protocol 1: <script src=".../embed.js" data-form="ID" async></script>
   shows the form's iframe where the tag stands, or (data-display) as a popup, slide-in or bar opened by
   data-trigger; keeps it as tall as its content; relays the form's events as DOM events on the tag and,
   with data-datalayer, to dataLayer; keeps the visitor's variant, close and sign-up in this site's
   localStorage and counts a view once the form is seen. See docs/embedding.md. */
(function (window, document) {
  "use strict";
  var shared = window.__signupEmbed || (window.__signupEmbed = { frames: [] });
  var TITLES = { uk: "Форма підписки", ru: "Форма подписки", en: "Sign-up form" },
    CLOSE = { uk: "Закрити", ru: "Закрыть", en: "Close" },
    LAYER = { ready: "view", shown: "shown", started: "start", submitted: "submit", error: "error", closed: "close" },
    RELAYED = ["ready", "resize", "started", "submitted", "error"],
    DAY = 864e5,
    // A second form waits this long after one was shown floating on the site (eSputnik's default silent interval).
    SILENCE = 18e4,
    // Everything we add lives in a shadow root, so the page's styles and ours never meet.
    CSS = ":host{all:initial}dialog{box-sizing:border-box;flex-direction:column;border:0;padding:0;margin:0;background:#fff;box-shadow:0 .5rem 2rem #0006;overflow:hidden;max-width:100vw}dialog[open]{display:flex}.popup{margin:auto;width:min(30rem,100vw - 1rem);max-height:calc(100dvh - 1rem);border-radius:8px}.popup::backdrop{background:#0009}.slide-in,.bar{position:fixed;z-index:2147483647}.slide-in{inset:auto 1rem 1rem auto;width:min(24rem,100vw - 2rem);max-height:calc(100dvh - 2rem);border-radius:8px}.bar{inset:auto 0 0;width:100%;max-height:60dvh;padding-bottom:env(safe-area-inset-bottom)}button{all:unset;align-self:flex-end;width:44px;height:44px;text-align:center;font:28px/44px system-ui,sans-serif;color:#1b1c1f;cursor:pointer}button:focus-visible{outline:3px solid #0b5cad;outline-offset:-4px}.in{flex:auto;min-height:0;overflow:auto}@media (prefers-reduced-motion:no-preference){dialog[open]{animation:in .2s ease-out}}@keyframes in{from{opacity:0}}";

  function load(key) {
    try {
      return JSON.parse(localStorage.getItem("signup:" + key)) || {};
    } catch (e) {
      return {};
    }
  }

  function remember(key, name, value) {
    var state = load(key);
    state[name] = value;
    try {
      localStorage.setItem("signup:" + key, JSON.stringify(state));
    } catch (e) {}
  }

  function make(tag, attributes, parent) {
    var node = document.createElement(tag);
    for (var name in attributes) node.setAttribute(name, attributes[name]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function data(script, name) {
    return script.getAttribute("data-" + name);
  }

  function on(target, type, handler) {
    target.addEventListener(type, handler, { passive: type === "scroll" });
  }

  function atBody(place) {
    if (document.body) place(document.body);
    else on(document, "DOMContentLoaded", function () { place(document.body); });
  }

  function embed(script) {
    var formId = data(script, "form") || "";
    if (script.hasAttribute("data-signup-embedded") || !/^[a-z0-9-]{1,64}$/.test(formId)) return;
    script.setAttribute("data-signup-embedded", "");
    var display = data(script, "display") || "inline";
    if (!/^(inline|popup|slide-in|bar)$/.test(display)) display = "inline";
    var state = load(formId);
    var src = new URL(script.src, location.href);
    var url = new URL(src.pathname.replace(/embed\.js$/, "f/") + formId, src.origin);
    var lang = data(script, "lang");
    // The host page's UTM tags go along for the form's hidden values; the rest of its query may be personal.
    url.search = (location.search.match(/[?&]utm_[^&]*/g) || []).join("");
    var query = url.searchParams;
    if (lang) query.set("lang", lang);
    if (state.v) query.set("variant", state.v);
    // The consent record names the page the form was on, without its query; and where the visitor came from.
    query.set("page", location.origin + location.pathname);
    query.set("referrer", document.referrer);
    var layer = data(script, "datalayer");
    var entry = {
      script: script,
      origin: src.origin,
      form: formId,
      display: display,
      state: state,
      language: (lang || document.documentElement.lang || "").slice(0, 2),
      layer: layer === null ? null : /^[A-Za-z_$][\w$]*$/.test(layer) ? layer : "dataLayer",
    };
    if (!TITLES[entry.language]) entry.language = "en";
    var frame = (entry.frame = make("iframe", { src: url.href }));
    frame.title = data(script, "title") || TITLES[entry.language];
    frame.style.cssText = "display:block;width:100%;border:0;height:" + (parseInt(data(script, "height"), 10) || 360) + "px";
    if (display !== "inline") return overlay(entry);
    if (script.parentNode === document.head) atBody(function (body) { body.prepend(frame); });
    else script.parentNode.insertBefore(frame, script.nextSibling);
    shared.frames.push(entry);
    new IntersectionObserver(function (seen, observer) {
      if (seen[0].isIntersecting) {
        observer.disconnect();
        shown(entry);
      }
    }).observe(frame);
  }

  // A popup, slide-in or bar: built now (hidden, the form loading), opened by its trigger.
  function overlay(entry) {
    var script = entry.script;
    var trigger = (data(script, "trigger") || "load").split(":");
    var kind = trigger.shift(), value = trigger.join(":");
    var snooze = parseFloat(data(script, "snooze"));
    if (!(snooze >= 0)) snooze = 7;
    if (entry.state.s) return; // signed up: never shown again (a click: target keeps its own action)
    var snoozed = entry.state.c && Date.now() - entry.state.c < snooze * DAY;
    if (snoozed && kind !== "click") return;
    build(entry);
    shared.frames.push(entry);
    var fire = function () { open(entry); };
    if (kind === "delay") setTimeout(fire, 1000 * (parseFloat(value) || 0));
    else if (kind === "scroll") onScroll(parseFloat(value) || 0, fire);
    else if (kind === "exit") onExit(fire);
    else if (kind === "click") {
      on(document, "click", function (event) {
        var target;
        try {
          target = event.target.closest && event.target.closest(value);
        } catch (e) {}
        if (!target || load(entry.form).s) return;
        event.preventDefault();
        open(entry, target);
      });
    } else if (document.readyState === "loading") on(document, "DOMContentLoaded", fire);
    else fire();
  }

  function build(entry) {
    var host = make("signup-form-embed");
    var root = host.attachShadow({ mode: "open" });
    // A constructed stylesheet is not inline style, so a strict Content-Security-Policy on the page allows it.
    if (root.adoptedStyleSheets) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else make("style", {}, root).textContent = CSS;
    var box = (entry.box = make("dialog", { class: entry.display, "aria-label": entry.frame.title }, root));
    if (entry.display === "popup") box.setAttribute("aria-modal", "true");
    // Focus stays inside: Tab from the form's last control comes back to the close button, and Shift+Tab from the
    // close button goes to the form's last control, which the form's page focuses when asked (the frame alone
    // would stop on the page's body).
    var start = make("div", { tabindex: "0" }, box);
    var close = (entry.close = make("button", { type: "button", "aria-label": CLOSE[entry.language] }, box));
    close.textContent = "×";
    make("div", { class: "in" }, box).appendChild(entry.frame);
    var end = make("div", { tabindex: "0" }, box);
    on(start, "focus", function (event) {
      entry.frame.focus();
      if (event.relatedTarget === close) entry.frame.contentWindow.postMessage({ signup: 1, type: "last" }, entry.origin);
    });
    on(end, "focus", function () { close.focus(); });
    on(close, "click", function () { shut(entry, "button"); });
    on(box, "keydown", function (event) {
      if (event.key === "Escape") shut(entry, "escape");
    });
    on(box, "click", function (event) {
      if (event.target === box && entry.display === "popup") shut(entry, "outside");
    });
    if (entry.display === "bar") entry.spacer = make("signup-form-spacer", { "aria-hidden": "true" });
    atBody(function (body) {
      body.appendChild(host);
      if (entry.spacer) body.appendChild(entry.spacer);
    });
  }

  function onScroll(percent, fire) {
    function check() {
      var room = document.documentElement.scrollHeight - innerHeight;
      if (room <= 0 || (100 * scrollY) / room >= percent) {
        removeEventListener("scroll", check);
        fire();
      }
    }
    on(window, "scroll", check);
    if (document.readyState === "complete") check();
    else on(window, "load", check);
  }

  // The pointer leaving through the top of the page; without a pointer (touch screens), a quick scroll
  // back up by a quarter of the screen or more after reading down at least half a screen.
  function onExit(fire) {
    on(document, "mouseout", function (event) {
      if (!event.relatedTarget && event.clientY <= 0) fire();
    });
    if (!matchMedia("(hover: none)").matches) return;
    var from = 0, at = 0, last = 0;
    on(window, "scroll", function () {
      var y = scrollY, now = Date.now();
      // A move up starts where the page stood last; going down, or pausing, starts it again.
      if (y >= last || now - at > 500) {
        from = Math.max(y, last);
        at = now;
      } else if (from - y > innerHeight / 4 && from > innerHeight / 2) fire();
      last = y;
    });
  }

  // `asked`: the element whose click opened it; then focus goes into the form, and back to that element after.
  function open(entry, asked) {
    if (entry.isOpen || (!asked && entry.closed) || load(entry.form).s) return;
    // Not too often: one form per page view opened by a trigger, and a silent interval between two forms on the site.
    var last = load("shown").last || [];
    if (!asked && (shared.one || (last[0] !== entry.form && Date.now() - last[1] < SILENCE))) return;
    shared.one = 1;
    remember("shown", "last", [entry.form, Date.now()]);
    entry.isOpen = true;
    entry.back = asked || document.activeElement;
    if (entry.display === "popup") entry.box.showModal();
    else {
      entry.box.setAttribute("open", "");
      if (asked) entry.close.focus();
    }
    pad(entry);
    shown(entry);
  }

  function shut(entry, how) {
    if (!entry.isOpen) return;
    var inside = entry.display === "popup" || entry.box.contains(entry.box.getRootNode().activeElement);
    entry.isOpen = entry.due = false;
    entry.closed = true;
    entry.box.close(); // also for a dialog opened by its attribute
    pad(entry);
    if (!load(entry.form).s) remember(entry.form, "c", Date.now());
    emit(entry, "closed", { how: how });
    if (inside && entry.back && entry.back.focus) entry.back.focus();
  }

  // A bar leaves room for itself at its edge of the page, so none of the page is out of reach behind it.
  function pad(entry) {
    if (entry.spacer) entry.spacer.style.cssText = "display:block;height:" + (entry.isOpen ? entry.box.offsetHeight : 0) + "px";
  }

  function shown(entry) {
    entry.seen = entry.due = true;
    count(entry);
  }

  // A form is shown once it is both in sight and loaded (it names its variant then), and counts one view per page view.
  function count(entry) {
    if (!entry.seen || !entry.viewed) return;
    if (entry.due) {
      entry.due = false;
      emit(entry, "shown", {});
    }
    if (!entry.variant || entry.counted) return;
    entry.counted = true;
    var url = entry.origin + "/api/forms/" + entry.form + "/views?variant=" + encodeURIComponent(entry.variant);
    navigator.sendBeacon(url);
  }

  function emit(entry, type, detail) {
    detail.signup = 1;
    detail.type = type;
    detail.form = entry.form;
    detail.language = entry.language;
    detail.variant = entry.variant || "";
    detail.display = entry.display;
    entry.script.dispatchEvent(new CustomEvent("signup:" + type, { bubbles: true, detail: detail }));
    var again = type === "ready" && entry.viewed;
    if (type === "ready") entry.viewed = true;
    if (entry.layer && LAYER[type] && !again) {
      var queue = (window[entry.layer] = window[entry.layer] || []);
      queue.push({
        event: "signup_form_" + LAYER[type],
        signup_form: entry.form,
        signup_language: detail.language,
        signup_variant: detail.variant,
        signup_display: entry.display,
      });
    }
  }

  function relay(entry, message) {
    var type = message.type;
    if (type === "escape") return entry.box && shut(entry, "escape");
    if (RELAYED.indexOf(type) < 0) return;
    var detail = {};
    if (typeof message.language === "string" && TITLES[message.language]) entry.language = message.language;
    if (typeof message.height === "number" && message.height > 0) {
      // Bounded, so a broken page cannot make the frame cover the host page.
      detail.height = Math.min(Math.ceil(message.height), 10000);
      entry.frame.style.height = detail.height + "px";
      if (entry.isOpen) pad(entry);
    }
    if (type === "ready") {
      if (typeof message.title === "string" && data(entry.script, "title") === null) {
        entry.frame.title = message.title.slice(0, 200);
        if (entry.box) entry.box.setAttribute("aria-label", entry.frame.title);
      }
      if (entry.close) entry.close.setAttribute("aria-label", CLOSE[entry.language]);
      if (typeof message.variant === "string" && /^[a-z0-9-]{1,32}$/.test(message.variant)) {
        remember(entry.form, "v", (entry.variant = message.variant));
      }
    }
    if (type === "error") {
      detail.fields = Array.isArray(message.fields) ? message.fields.map(String) : [];
      detail.status = typeof message.status === "number" ? message.status : 422;
    }
    if (type === "submitted") remember(entry.form, "s", 1);
    emit(entry, type, detail);
    if (type === "ready") count(entry);
  }

  // Only messages from one of our frames, coming from our origin, in our format, are relayed.
  function receive(event) {
    shared.frames.forEach(function (entry) {
      var message = event.data;
      if (event.source !== entry.frame.contentWindow || event.origin !== entry.origin) return;
      if (message && typeof message === "object" && message.signup === 1 && message.form === entry.form) {
        relay(entry, message);
      }
    });
  }

  if (!shared.listening) {
    shared.listening = true;
    on(window, "message", receive);
  }
  if (document.currentScript) embed(document.currentScript);
  // Loaded some other way (a tag manager, a bundler): embed every tag still waiting.
  document.querySelectorAll('script[data-form][src*="embed.js"]').forEach(embed);
})(window, document);
