/* The form page's script. The page works without it; with it, the frame follows its content's height,
   the embedding page hears what happens (only if it is one of the form's allowed origins), and forms
   that finish inline or by redirect are sent without leaving the page. */
(function () {
  "use strict";
  var data = document.body.dataset;
  var allowed = (data.origins || "").split(" ").filter(Boolean);
  var targets = parentOrigins();
  var form = document.querySelector("form[data-finish]");
  var button = form && form.querySelector("button");
  var lastHeight = 0;
  var busy = false;
  // When this page's form token was issued (no earlier than this script ran): a token is refused
  // until FORM_MIN_FILL_SECONDS have passed, and a person whose browser filled the form in may be quicker.
  var issued = Date.now();

  function originOf(url) {
    try { return new URL(url).origin; } catch (e) { return ""; }
  }

  // Messages go to the embedding page's exact origin when it is allowed, never to "*".
  function parentOrigins() {
    if (window.parent === window || !allowed.length) return [];
    var ancestors = location.ancestorOrigins;
    if (ancestors && ancestors.length) return allowed.indexOf(ancestors[0]) < 0 ? [] : [ancestors[0]];
    var hints = [data.parent, originOf(document.referrer)];
    for (var i = 0; i < hints.length; i++) if (allowed.indexOf(hints[i]) >= 0) return [hints[i]];
    // Only an allowed origin can frame this page, and postMessage delivers to the one that matches.
    return allowed;
  }

  function send(type, extra) {
    var message = { signup: 1, type: type, form: data.form, variant: data.variant, language: document.documentElement.lang };
    for (var key in extra) message[key] = extra[key];
    targets.forEach(function (origin) { window.parent.postMessage(message, origin); });
  }

  function height() {
    return Math.ceil(document.documentElement.getBoundingClientRect().height);
  }

  function resized() {
    var now = height();
    if (now !== lastHeight) send("resize", { height: (lastHeight = now) });
  }

  function make(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    for (var name in attributes) node.setAttribute(name, attributes[name]);
    return node;
  }

  function labelOf(input) {
    var label = document.querySelector('label[for="' + input.id + '"]');
    return input.dataset.label || (label ? label.firstChild.textContent.trim() : input.name);
  }

  // Errors are listed in the order of the fields, whatever order the answer gave them in.
  function position(name) {
    return Array.prototype.indexOf.call(form.elements, document.getElementById("f-" + name));
  }

  function clearErrors() {
    document.querySelectorAll("#error-summary, form .error").forEach(function (node) { node.remove(); });
    document.querySelectorAll(".invalid").forEach(function (node) { node.classList.remove("invalid"); });
    document.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
  }

  // Names of the form's own fields only: never what was typed, nor internal keys.
  function fieldNames(names) {
    return names.filter(function (name) { return name && document.getElementById("f-" + name); });
  }

  function showErrors(errors, status) {
    clearErrors();
    var summary = make("div", "", { id: "error-summary", class: "summary", role: "alert", tabindex: "-1" });
    var list = make("ul");
    summary.append(make("p", form.dataset.summary), list);
    Object.keys(errors).sort(function (a, b) { return position(a) - position(b); }).forEach(function (name) {
      var text = [].concat(errors[name]).join(" ");
      var input = document.getElementById("f-" + name);
      var item = list.appendChild(make("li", input ? "" : text));
      if (!input) return;
      var box = input.closest(".field") || input.parentNode;
      box.classList.add("invalid");
      box.appendChild(make("p", text, { class: "error", id: "e-" + name }));
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "e-" + name);
      item.appendChild(make("a", labelOf(input) + ": " + text, { href: "#f-" + name }));
    });
    form.parentNode.insertBefore(summary, form);
    summary.focus();
    send("error", { fields: fieldNames(Object.keys(errors)), status: status });
  }

  function finished() {
    var target = form.dataset.redirect;
    send("submitted");
    if (form.dataset.finish === "redirect" && target) {
      // A moment for the embedding page's analytics to hear the event before the page goes.
      return setTimeout(function () {
        try { window.top.location.href = target; } catch (e) { location.href = target; }
      }, 150);
    }
    var main = form.parentNode;
    // The thank-you page's own finish, in place.
    fetch(thanksPage(), { credentials: "omit" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      var finish = new DOMParser().parseFromString(html, "text/html").querySelector(".finish");
      if (!finish) throw new Error("no finish");
      show(main, document.importNode(finish, true));
    }).catch(function () {
      show(main, make("p", form.dataset.thanks, { class: "done", role: "status", tabindex: "-1" }));
    });
  }

  function show(main, node) {
    main.replaceChildren(node);
    (node.querySelector(".done") || node).focus();
  }

  // The address is masked here: the thank-you's address never carries it whole.
  function thanksPage() {
    var url = new URL(form.dataset.thanksPage, location.href);
    var email = form.elements.email ? form.elements.email.value.trim() : "";
    var at = email.lastIndexOf("@");
    if (at > 0) url.searchParams.set("to", email.charAt(0) + "***@" + email.slice(at + 1).toLowerCase());
    var page = form.elements.page_url;
    if (page) url.searchParams.set("back", page.value);
    return url;
  }

  // A fresh token must be as old as a person's typing before it is accepted: hold the button till then.
  function renewToken(then) {
    var url = new URL(form.dataset.api.replace("/submissions", ""), location.href);
    url.searchParams.set("lang", form.elements.lang.value);
    fetch(url, { credentials: "omit" }).then(function (response) { return response.json(); }).then(function (answer) {
      form.elements.form_token.value = answer.token;
      issued = Date.now();
      setTimeout(then, 1000 * Number(form.dataset.wait || 0));
    }, then);
  }

  function release() {
    busy = false;
    button.removeAttribute("aria-disabled");
  }

  function submit(event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    button.setAttribute("aria-disabled", "true");
    var request = { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "omit" };
    fetch(form.dataset.api, request).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.status === 202) return finished();
        var errors = answer.errors || { form: [answer.error || form.dataset.failed] };
        var expired = !!errors.form_token;
        if (expired) {
          delete errors.form_token;
          errors.form = [form.dataset.expired];
        }
        showErrors(errors, response.status);
        if (expired) renewToken(release);
        else release();
      });
    }).catch(function () {
      showErrors({ form: [form.dataset.failed] }, 0);
      release();
    });
  }

  function reloaded() {
    var entry = window.performance && performance.getEntriesByType("navigation")[0];
    return !!entry && entry.type !== "navigate";
  }

  send("ready", { height: (lastHeight = height()), title: document.title });
  if (data.event && !reloaded()) {
    var fields = fieldNames((data.fields || "").split(" "));
    send(data.event, data.event === "error" ? { fields: fields, status: Number(data.status || 422) } : {});
  }
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  if (window.ResizeObserver) new ResizeObserver(resized).observe(document.documentElement);
  window.addEventListener("resize", resized);
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".summary a");
    var input = link && document.getElementById(link.getAttribute("href").slice(1));
    if (input) {
      event.preventDefault();
      input.focus();
    }
  });
  // The embedding page closes a popup on Esc, and counts a form as started at its first keystroke.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") send("escape");
  });
  // Shift+Tab from the close button of the embedding page's popup, slide-in or bar asks for the form's last
  // control (the frame alone would stop on this page's body).
  window.addEventListener("message", function (event) {
    var message = event.data || {};
    if (event.source !== window.parent || targets.indexOf(event.origin) < 0 || message.signup !== 1 || message.type !== "last") return;
    var controls = [].filter.call(document.querySelectorAll("*"), function (node) {
      return node.tabIndex >= 0 && !node.disabled && node.getClientRects().length;
    });
    if (controls.length) controls[controls.length - 1].focus();
  });
  if (form) form.addEventListener("input", function started() {
    form.removeEventListener("input", started);
    send("started");
  });
  // A form filled in by the browser can be sent sooner than its token may be: hold it until then.
  if (form) form.addEventListener("submit", function (event) {
    var early = issued + 1000 * Number(form.dataset.wait || 0) + 250 - Date.now();
    if (early <= 0) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    setTimeout(function () { form.requestSubmit ? form.requestSubmit(button) : form.submit(); }, early);
  });
  if (form && form.dataset.finish !== "page" && window.fetch && window.FormData) form.addEventListener("submit", submit);
})();
