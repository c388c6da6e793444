// ykien: the progress page of a background job polls its JSON and moves on to the result when it is done.
// Without this file the page refreshes itself (<noscript> meta refresh) and the server redirects once done.
(function () {
  "use strict";
  var card = document.getElementById("job");
  if (!card) { return; }
  var bar = document.getElementById("job-progress");
  var label = document.getElementById("job-label");
  var status = document.getElementById("job-status");
  var message = document.getElementById("job-message");
  var hint = document.getElementById("job-hint");
  if (!bar || !label || !status || !message || !hint) { return; }
  var every = parseInt(card.dataset.every, 10) || 1000;

  function show(job) {
    status.textContent = job.status_label;
    label.textContent = job.label;
    if (job.total > 0) {
      bar.max = job.total;
      bar.value = job.done;
      bar.textContent = job.done + "/" + job.total;
    }
    if (job.message) {
      message.textContent = job.message;
      message.hidden = false;
    }
  }

  function poll() {
    fetch(card.dataset.poll, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.status === "done" && job.result_url) {
          hint.hidden = true;
          if (/\/file$/.test(job.result_url)) {  // a download: the link stays on the page
            document.getElementById("job-result-link").href = job.result_url;
            document.getElementById("job-result").hidden = false;
          }
          window.location.assign(job.result_url);
        } else if (job.status === "running") {
          window.setTimeout(poll, every);
        } else {
          hint.hidden = true;
          if (!(job.total > 0)) { document.getElementById("job-meter").hidden = true; }
          message.focus();
        }
      })
      .catch(function () { window.setTimeout(poll, every * 3); });
  }

  if (status.textContent && !hint.hidden) { window.setTimeout(poll, every); }
}());
