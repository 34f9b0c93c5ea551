// backcoach: start Swagger UI on /docs from our own files (the CSP allows no inline script).
"use strict";

const target = document.getElementById("swagger-ui");
window.SwaggerUIBundle({
  url: target.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  presets: [window.SwaggerUIBundle.presets.apis],
});
