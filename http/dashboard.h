/*
 * The live dashboard: one HTML page with its own CSS and JavaScript and no
 * external assets (http/dashboard.html), built into the binary by
 * http/dashboard_asset.S. It polls /api/summary and draws /api/history.
 */
#ifndef MINEMETER_HTTP_DASHBOARD_H
#define MINEMETER_HTTP_DASHBOARD_H

extern const char http_dashboard_html[]; /* NUL-terminated */

#endif
