import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { runConsole, type StreamKey } from '../state/console-hub';
import { resolvedTheme, THEME_EVENT } from '../lib/theme';

const DARK: ITheme = { background: '#11151c', foreground: '#d7dde8', cursor: '#11151c', selectionBackground: '#3a4a66' };
const LIGHT: ITheme = { background: '#fbfcfe', foreground: '#1d2430', cursor: '#fbfcfe', selectionBackground: '#c6d4ee',
  yellow: '#8a6d00', cyan: '#006b7d', green: '#2f7a1f', white: '#555555', brightWhite: '#333333' };
/** Past this much unwritten text, show only the newest part: a flood must not freeze the window. */
const MAX_PENDING = 512 * 1024;
/** What a (re)opened stream replays from memory; the file on disk has the rest. */
const REPLAY = 192 * 1024;

const SLICE = 8 * 1024;

/** Cuts text into pieces of about SLICE chars, at line ends where possible. */
export function slices(text: string): string[] {
  if (text.length <= SLICE) return [text];
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + SLICE);
    if (end < text.length) {
      const nl = text.lastIndexOf('\n', end);
      if (nl > at) end = nl + 1;
    }
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}

/**
 * A read-only terminal over one console stream. xterm renders tqdm's `\r` redraws like a real
 * terminal; writes are batched to one per frame and never queue more than MAX_PENDING.
 */
export function LogConsole({ runId, stream, label, staticText }: { runId: string; stream: StreamKey; label: string; staticText?: string }) {
  const { t } = useTranslation();
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const [ready, setReady] = useState(0);
  const [skipped, setSkipped] = useState(0);

  // One terminal per mounted console; switching streams reuses it (creating one costs a frame).
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const term = new Terminal({
      convertEol: true, disableStdin: true, cursorBlink: false, scrollback: 10_000, fontSize: 12,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Noto Sans Mono CJK SC", monospace',
      theme: resolvedTheme() === 'dark' ? DARK : LIGHT, screenReaderMode: false,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    const doFit = () => {
      try {
        fit.fit();
      } catch {
        // Not laid out yet (hidden tab); the next resize fits it.
      }
    };
    doFit();
    const ro = new ResizeObserver(doFit);
    ro.observe(el);
    const onTheme = () => {
      term.options.theme = resolvedTheme() === 'dark' ? DARK : LIGHT;
    };
    window.addEventListener(THEME_EVENT, onTheme);
    termRef.current = term;
    setReady((n) => n + 1);
    return () => {
      window.removeEventListener(THEME_EVENT, onTheme);
      ro.disconnect();
      termRef.current = null;
      term.dispose();
    };
  }, []);

  useEffect(() => {
    const term = termRef.current;
    if (!term) return;
    term.reset();
    setSkipped(0);
    const el = host.current;
    // data-settled names the stream once everything received for it has been parsed into the
    // terminal, so a reader (or a test) knows the view is no longer catching up.
    const markSettled = (settled: boolean) => {
      if (!el) return;
      if (settled) el.dataset.settled = String(stream);
      else delete el.dataset.settled;
    };
    markSettled(false);
    const con = runConsole(runId);
    let pending = '';
    let frame = 0;
    let inFlight = 0;
    let dropped = 0;
    let live = true;
    const flush = () => {
      frame = 0;
      if (!live || !pending) return;
      if (inFlight > 8) {
        frame = requestAnimationFrame(flush);
        return;
      }
      const data = pending;
      pending = '';
      // xterm yields between write() calls, not inside one: slice big batches so parsing a flood
      // stays in short tasks and input is handled between them.
      for (const piece of slices(data)) {
        inFlight++;
        term.write(piece, () => {
          inFlight--;
          if (live && inFlight === 0 && !pending) markSettled(true);
        });
      }
    };
    const onData = (d: string) => {
      markSettled(false);
      pending += d;
      if (pending.length > MAX_PENDING) {
        dropped += pending.length - MAX_PENDING;
        pending = pending.slice(-MAX_PENDING);
        setSkipped(dropped);
      }
      if (!frame) frame = requestAnimationFrame(flush);
    };
    let off = () => {};
    // The replay is capped like a flood: the newest part is what a user looks at.
    const replay = (text: string) => onData(text.length > REPLAY ? text.slice(-REPLAY) : text);
    if (staticText !== undefined) replay(staticText);
    else {
      replay(con.text(stream));
      off = con.subscribe(stream, onData);
    }
    return () => {
      live = false;
      off();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [runId, stream, staticText, ready]);

  return (
    <div className="console-wrap">
      <div ref={host} className="console" role="log" aria-label={label} data-testid="log-console" data-stream={String(stream)} />
      {skipped > 0 && <p className="muted small">{t('run.logs.skipped', { size: Math.round(skipped / 1024) })}</p>}
    </div>
  );
}
