// Recipient page: tell the server the unit opened its link. A mail scanner that only fetches the link runs no
// script, so the GET itself records nothing; this request, sent once after the page has loaded, does.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-opened");
  if (!url || !window.fetch) { return; }
  function send() {
    window.fetch(url, { method: "POST", keepalive: true, credentials: "same-origin", cache: "no-store" })
      .catch(function () { /* the opening is a hint for staff; never disturb the unit */ });
  }
  if (document.readyState === "complete") { send(); } else { window.addEventListener("load", send, { once: true }); }
}());
