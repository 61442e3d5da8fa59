'use client';

import { useEffect, useId, useRef, useState } from 'react';
import type QrScannerType from 'qr-scanner';
import { useI18n } from '@/app/_i18n/provider';

type QrScannerClass = typeof QrScannerType;
type Problem = 'none' | 'denied' | 'failed' | 'photo';

/**
 * qr-scanner, loaded on the client only, once: it decodes with the browser's BarcodeDetector when
 * there is one, else in its own worker. The worker is started here too, ahead of time, so a door that
 * loses its network after the page loaded can still decode.
 */
let loaded: Promise<{ QrScanner: QrScannerClass; engine: ReturnType<QrScannerClass['createQrEngine']> }> | null = null;
function loadScanner() {
  loaded ??= import('qr-scanner').then(({ default: QrScanner }) => ({ QrScanner, engine: QrScanner.createQrEngine() }));
  return loaded;
}

function problemOf(error: unknown): Problem {
  if (typeof error === 'string' && error.includes('Camera not found')) return 'none';
  if (error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'SecurityError')) return 'denied';
  if (error instanceof DOMException && (error.name === 'NotFoundError' || error.name === 'OverconstrainedError')) return 'none';
  return 'failed';
}

/** The camera (start/stop) and "scan from a photo"; each decoded QR goes to `onScan`. */
export function DoorScanner({ onScan, disabled }: { onScan: (qr: string, from: 'camera' | 'photo') => void; disabled: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const video = useRef<HTMLVideoElement>(null);
  const scanner = useRef<QrScannerType | null>(null);
  const latestOnScan = useRef(onScan);
  const [running, setRunning] = useState(false);
  const [starting, setStarting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    latestOnScan.current = onScan;
  }, [onScan]);
  useEffect(() => {
    void loadScanner();
    return () => scanner.current?.destroy();
  }, []);

  const start = async () => {
    if (!video.current) return;
    setStarting(true);
    setProblem(null);
    try {
      const { QrScanner } = await loadScanner();
      scanner.current ??= new QrScanner(video.current, (result) => latestOnScan.current(result.data, 'camera'), {
        returnDetailedScanResult: true,
        preferredCamera: 'environment',
        maxScansPerSecond: 8,
      });
      await scanner.current.start();
      setRunning(true);
    } catch (error) {
      scanner.current?.destroy();
      scanner.current = null;
      setProblem(problemOf(error));
    } finally {
      setStarting(false);
    }
  };
  const stop = () => {
    scanner.current?.stop();
    setRunning(false);
  };

  const scanPhoto = async (file: File | undefined) => {
    if (!file) return;
    setProblem(null);
    try {
      const { QrScanner, engine } = await loadScanner();
      const result = await QrScanner.scanImage(file, {
        returnDetailedScanResult: true,
        qrEngine: await engine,
        alsoTryWithoutScanRegion: true,
      });
      latestOnScan.current(result.data, 'photo');
    } catch {
      setProblem('photo');
    }
  };

  return (
    <div className="door-scanner">
      <div className="actions">
        <button
          type="button"
          className="button-primary"
          onClick={() => (running ? stop() : void start())}
          disabled={disabled || starting}
          aria-pressed={running}
        >
          {running ? t('door.camera.stop') : t('door.camera.start')}
        </button>
        <label htmlFor={`${id}-photo`} className={`door-photo${disabled ? ' door-photo-disabled' : ''}`}>
          {t('door.photo')}
        </label>
        <input
          id={`${id}-photo`}
          className="visually-hidden"
          type="file"
          accept="image/*"
          capture="environment"
          disabled={disabled}
          onChange={(e) => {
            void scanPhoto(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
      </div>
      {problem && (
        <p className="notice notice-warning" role="alert">
          {t(problem === 'photo' ? 'door.photo.none' : `door.camera.${problem}`)}
        </p>
      )}
      <video ref={video} className="door-video" hidden={!running && !starting} muted playsInline aria-label={t('door.camera.label')} />
    </div>
  );
}
