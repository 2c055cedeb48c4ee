/* Starts Swagger UI on the Shouhu schema. Settings come from the page's JSON block
 * (#swagger-config), so that the page needs no inline script under its Content-Security-Policy. */
"use strict";
(function () {
  var config = JSON.parse(document.getElementById("swagger-config").textContent);
  window.ui = SwaggerUIBundle({
    url: config.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // Swagger UI would otherwise send the schema's address to an outside validator.
    validatorUrl: null,
    persistAuthorization: false,
    withCredentials: true,
    requestInterceptor: function (request) {
      // A session write needs the CSRF token; a token call ignores it.
      if (request.method && ["GET", "HEAD", "OPTIONS"].indexOf(request.method.toUpperCase()) === -1) {
        request.headers[config.csrfHeader] = config.csrfToken;
      }
      return request;
    },
  });
})();
