// /api/docs: Swagger UI from ykien's own files (the Content-Security-Policy allows scripts from 'self' only, so the
// start-up code lives here rather than inline). The OpenAPI URL comes from the page's data-openapi attribute.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    showExtensions: true,
    showCommonExtensions: true,
    // The session cookie and the CSRF header go with "Try it out" requests made from this page.
    withCredentials: true,
  });
}());
