/* Signup form embed, protocol 1: <script src=".../embed.js" data-form="ID" async></script>
   puts the form's iframe where the tag stands, keeps it as tall as its content, and relays the form's
   events as DOM events on the tag (signup:ready, signup:resize, signup:submitted, signup:error) and,
   with data-datalayer, to Google Tag Manager's dataLayer. See docs/embedding.md. */
(function (window, document) {
  "use strict";
  var shared = window.__signupEmbed || (window.__signupEmbed = { frames: [] });
  var TITLES = { uk: "Форма підписки", ru: "Форма подписки", en: "Sign-up form" };
  var LAYER_EVENTS = { ready: "signup_form_view", submitted: "signup_form_submit", error: "signup_form_error" };

  function defaultTitle() {
    return TITLES[(document.documentElement.lang || "").slice(0, 2)] || TITLES.en;
  }

  function embed(script) {
    var formId = script.getAttribute("data-form") || "";
    if (script.hasAttribute("data-signup-embedded") || !/^[a-z0-9-]{1,64}$/.test(formId)) return;
    script.setAttribute("data-signup-embedded", "");
    var src = new URL(script.src, location.href);
    var url = new URL(src.pathname.replace(/embed\.js$/, "f/") + formId, src.origin);
    var lang = script.getAttribute("data-lang");
    if (lang) url.searchParams.set("lang", lang);
    // The consent record names the page the form was on; its query may hold personal data, so it is left out.
    url.searchParams.set("page", location.origin + location.pathname);
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = script.getAttribute("data-title") || defaultTitle();
    frame.style.cssText = "display:block;width:100%;border:0;height:" + (parseInt(script.getAttribute("data-height"), 10) || 360) + "px";
    if (script.parentNode === document.head) {
      // A tag in <head> has no place on the page: the form goes at the start of <body>.
      if (document.body) document.body.prepend(frame);
      else document.addEventListener("DOMContentLoaded", function () { document.body.prepend(frame); });
    } else {
      script.parentNode.insertBefore(frame, script.nextSibling);
    }
    var layer = script.getAttribute("data-datalayer");
    shared.frames.push({
      frame: frame,
      script: script,
      origin: src.origin,
      form: formId,
      layer: layer === null ? null : /^[A-Za-z_$][\w$]*$/.test(layer) ? layer : "dataLayer",
    });
  }

  function relay(entry, message) {
    var type = message.type;
    if (["ready", "resize", "submitted", "error"].indexOf(type) < 0) return;
    var detail = { signup: 1, type: type, form: entry.form, language: String(message.language || "") };
    if (typeof message.height === "number" && message.height > 0) {
      // Bounded, so a broken page cannot make the frame cover the host page.
      detail.height = Math.min(Math.ceil(message.height), 10000);
      entry.frame.style.height = detail.height + "px";
    }
    if (type === "ready" && typeof message.title === "string" && !entry.script.hasAttribute("data-title")) {
      entry.frame.title = message.title.slice(0, 200);
    }
    if (type === "error") {
      detail.fields = Array.isArray(message.fields) ? message.fields.map(String) : [];
      detail.status = typeof message.status === "number" ? message.status : 422;
    }
    entry.script.dispatchEvent(new CustomEvent("signup:" + type, { bubbles: true, detail: detail }));
    var again = type === "ready" && entry.viewed;
    if (type === "ready") entry.viewed = true;
    if (entry.layer && LAYER_EVENTS[type] && !again) {
      var queue = (window[entry.layer] = window[entry.layer] || []);
      queue.push({ event: LAYER_EVENTS[type], signup_form: entry.form, signup_language: detail.language });
    }
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
    window.addEventListener("message", receive);
  }
  if (document.currentScript) embed(document.currentScript);
  // Loaded some other way (a tag manager, a bundler): embed every tag still waiting.
  document.querySelectorAll('script[data-form][src*="embed.js"]').forEach(embed);
})(window, document);
