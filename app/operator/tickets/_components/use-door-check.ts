'use client';

import { TRPCClientError } from '@trpc/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorData, httpStatusOf } from '@/app/_trpc/errors';
import type { DoorAnswer } from './door-contract';
import type { DoorProcedures } from './door-api';
import { decideOffline, importPublicKey, openDoorList } from './offline-door';
import { storedEntries, storedList, storeEntries } from './offline-store';

/**
 * A camera sees the same code in frame after frame: it is checked in once, and again only after it
 * has been out of view this long (each sighting restarts the wait, so a fan who keeps holding their
 * phone up is not told "already used" by their own ticket).
 */
export const REPEAT_SCAN_MS = 3_000;

export type CheckInput = { qr: string } | { reference: string; holderChecked: true };

/** An answer as the page shows it: from the server, or from this device alone. */
export interface ShownAnswer {
  answer: DoorAnswer;
  offline: boolean;
  /** Tells two equal answers in a row apart, so each is announced. */
  id: number;
}

/** No answer came (the network, or a gateway instead of the API): a case for checking offline. */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const status = httpStatusOf(error);
  return (errorData(error) === undefined && status === undefined) || status === 502 || status === 503 || status === 504;
}

interface Options {
  api: DoorProcedures;
  scheduleId: number | null;
  gate: string;
  offline: boolean;
  /** Called when a check-in failed for want of a network: the page turns offline mode on. */
  onNetworkFailure: () => void;
  /** An entry was made: on the server (online) or on this device (offline). */
  onEntry: (where: 'server' | 'device') => void;
}

/**
 * One check-in at a time, online (`ticket.checkIn`) or, in offline mode or when the call finds no
 * network, against this device's signed list. The camera's repeats of one QR are dropped
 * (REPEAT_SCAN_MS), as is anything scanned while a check is on its way; a photo or a button is the
 * steward's own act and always checks.
 */
export function useDoorCheck({ api, scheduleId, gate, offline, onNetworkFailure, onEntry }: Options) {
  const [shown, setShown] = useState<ShownAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<'auto' | 'unprepared' | null>(null);
  const [pending, setPending] = useState(false);
  const busy = useRef(false);
  const last = useRef<{ qr: string; at: number } | null>(null);
  const count = useRef(0);

  // Back online (or switched by hand): the notice about the network no longer holds.
  useEffect(() => {
    if (!offline) setNotice(null);
  }, [offline]);

  const show = (answer: DoorAnswer, fromDevice: boolean) => setShown({ answer, offline: fromDevice, id: ++count.current });

  const checkOnDevice = useCallback(
    async (input: CheckInput, scheduleId: number) => {
      const stored = storedList(scheduleId);
      if (!stored) {
        setNotice('unprepared');
        setShown(null);
        return;
      }
      // Read back and checked again: what is in localStorage is only as good as its signature.
      const list = await openDoorList(stored.list, stored.key, scheduleId);
      const { answer, entry } = await decideOffline({
        list,
        key: await importPublicKey(stored.key.publicKey),
        entries: storedEntries(),
        gate,
        input,
        now: new Date(),
        newId: () => crypto.randomUUID(),
      });
      if (entry) {
        storeEntries([...storedEntries(), entry]);
        onEntry('device');
      }
      show(answer, true);
    },
    [gate, onEntry],
  );

  const check = useCallback(
    async (input: CheckInput, fromCamera = false) => {
      if (scheduleId === null || !gate.trim()) return;
      if ('qr' in input && fromCamera) {
        const qr = input.qr.trim();
        const now = Date.now();
        const repeat = last.current?.qr === qr && now - last.current.at < REPEAT_SCAN_MS;
        last.current = { qr, at: now };
        if (repeat) return;
      }
      if (busy.current) return;
      busy.current = true;
      setPending(true);
      setError(null);
      try {
        if (!offline) {
          try {
            show(await api.checkIn.mutate({ scheduleId, gate: gate.trim(), ...input }), false);
            setNotice(null);
            onEntry('server');
            return;
          } catch (e) {
            if (!isNetworkFailure(e)) {
              setShown(null);
              setError(e);
              return;
            }
            // Offline mode only with a list to check against; without one, stay online and say so.
            if (!storedList(scheduleId)) {
              setShown(null);
              setNotice('unprepared');
              return;
            }
            onNetworkFailure();
            setNotice('auto');
          }
        }
        await checkOnDevice(input, scheduleId);
      } catch (e) {
        setShown(null);
        setError(e);
      } finally {
        busy.current = false;
        setPending(false);
      }
    },
    [api, scheduleId, gate, offline, onNetworkFailure, onEntry, checkOnDevice],
  );

  /** The steward undid the entry the answer shows: it no longer stands. */
  const clear = useCallback(() => setShown(null), []);

  return { shown, error, notice, pending, check, clear };
}
