/**
 * The status page's script, served by the app (`GET /status/live.js`; no CDN). It long-polls
 * the watch API (`/services?index=N&wait=60s`, from the index the page was rendered at); when
 * the registry index moves it re-reads the page (with `If-None-Match`, so an unchanged page is
 * a 304) and swaps in the new board, at most once a second. Without JavaScript the page is
 * complete as served.
 */
export const STATUS_PAGE_SCRIPT = `'use strict';
(function () {
  var board = function () { return document.getElementById('board'); };
  var live = document.getElementById('live');
  var index = Number(board().getAttribute('data-index')) || 0;
  var etag = null;
  var sleep = function (ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); };

  function show(online, text) {
    live.hidden = false;
    live.className = online ? 'live' : 'live offline';
    live.textContent = text;
  }

  async function refresh() {
    var headers = etag ? { 'If-None-Match': etag } : {};
    var response = await fetch(location.pathname + location.search, { headers: headers, cache: 'no-store' });
    if (response.status === 304) return;
    if (!response.ok) throw new Error('the page answered ' + response.status);
    etag = response.headers.get('ETag');
    var next = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('board');
    if (!next) return;
    board().replaceWith(document.importNode(next, true));
    index = Math.max(index, Number(next.getAttribute('data-index')) || 0);
  }

  async function watch() {
    show(true, 'Live: this page updates as the registry changes.');
    for (;;) {
      try {
        var response = await fetch('/services?index=' + index + '&wait=60s', { cache: 'no-store' });
        if (!response.ok) throw new Error('the watch answered ' + response.status);
        await response.body.cancel();
        var current = Number(response.headers.get('X-Registry-Index')) || 0;
        show(true, 'Live: this page updates as the registry changes.');
        if (current > index) {
          index = current;
          await refresh();
          // At most one re-read a second, however often health checks land.
          await sleep(1000);
        }
      } catch (error) {
        show(false, 'Not live (' + error.message + '); retrying…');
        await sleep(2000);
      }
    }
  }

  watch();
})();
`;
