// SPDX-License-Identifier: MIT
// Opens Moddable's ECMA-419 MQTT client (`embedded:network/mqtt/client`, from the SDK's examples) over
// its TLS socket (`embedded:io/socket/tcp/tls`, Moddable's own TLS 1.2) and UDP DNS, and narrows it
// to what the MQTT port uses. The casts live here, where the typings and the implementation disagree.
import MQTTClient from "embedded:network/mqtt/client";
import TCP from "embedded:io/socket/tcp";
import TLSSocket from "embedded:io/socket/tcp/tls";
import UDP from "embedded:io/socket/udp";
import Resolver from "embedded:network/dns/resolver/udp";

/** MQTT control packet types as the client numbers them (MQTT 3.1.1 §2.2.1). */
export const CONNACK = 2;
export const PUBACK = 4;
export const SUBSCRIBE = 8;
export const SUBACK = 9;

/** DER bytes: an ArrayBuffer, or a `Resource` (a HostBuffer in flash). */
export type DerBytes = ArrayBuffer | HostBuffer;

/**
 * Mutual TLS for the broker connection.
 * Moddable's TLS (SDK 8.2.3, modules/crypt/ssl) signs the client's CertificateVerify with RSA only
 * and parses only RSA PKCS#8 keys, so the client certificate and key must be RSA; the broker's own
 * certificate may be ECDSA P-256 or RSA, and the key exchange is ECDHE on P-256.
 */
export interface TlsCredentials {
  /** The broker's CA certificate, DER. With no caNNN.der in the build it is the only trust anchor. */
  ca: DerBytes;
  /** This device's client certificate, DER. */
  certificate: DerBytes;
  /** This device's private key, DER PKCS#8 (RSA). */
  key: DerBytes;
  /** Name checked against the broker certificate's subjectAltName; default the broker host. */
  serverName?: string;
}

/** What `onControl` receives: the implementation passes one object, not (opcode, message). */
export interface ControlMessage {
  operation: number;
  id?: number;
  /** SUBACK return codes, one byte per topic; 0x80 = refused. */
  payload?: ArrayLike<number>;
}

/** The options of the first `onReadable` fragment of an incoming PUBLISH. */
export interface ReadableInfo {
  more: boolean;
  topic?: string;
  QoS?: number;
  byteLength?: number;
}

export interface RawClientOptions {
  host: string;
  port: number;
  clientId: string;
  /** 0 disables keep-alive. */
  keepAliveMs: number;
  will: { topic: string; message: ArrayBuffer; QoS: number; retain: boolean };
  tls: TlsCredentials;
  /** Used only when `host` is a name; the resolver also handles IPv4 literals and `.local` names. */
  dnsServers: string[];
  onControl(message: ControlMessage): void;
  onReadable(count: number, info: ReadableInfo): void;
  onWritable(count: number): void;
  /** The session failed or dropped; the client has already closed itself. */
  onError(): void;
}

export interface PublishStart {
  topic: string;
  QoS: number;
  retain: boolean;
  duplicate: boolean;
  /** Packet id, for QoS 1. */
  id: number;
  /** Total payload bytes; the first chunk may be shorter, the rest follows with `continuePublish`. */
  byteLength: number;
}

/** The client as the port drives it. Each write returns the bytes that may be written next. */
export interface RawClient {
  startPublish(chunk: Uint8Array, options: PublishStart): number;
  continuePublish(chunk: Uint8Array): number;
  subscribe(topic: string, QoS: number, id: number): number;
  read(count: number): ArrayBuffer;
  close(): void;
}

/** The continuation form of `write(data)` that the typings omit (mqttclient.js "publishing" state). */
interface ContinuationWriter {
  write(data: Uint8Array): number;
}

/** Opens a client; connection progress arrives through the callbacks. Call at run time only. */
export function openMqttClient(options: RawClientOptions): RawClient {
  const client = new MQTTClient({
    host: options.host,
    port: options.port,
    id: options.clientId,
    clean: true,
    keepAlive: options.keepAliveMs,
    will: options.will,
    dns: { io: Resolver, servers: options.dnsServers, socket: { io: UDP } },
    socket: {
      io: TLSSocket,
      TCP: { io: TCP },
      secure: {
        certificate: options.tls.ca,
        clientCertificates: [options.tls.certificate],
        clientKey: options.tls.key,
        ...(options.tls.serverName ? { serverName: options.tls.serverName } : {}),
      },
    },
    // Typed as (opcode, message); mqttclient.js calls onControl.call(this, message).
    onControl: (message: unknown) => options.onControl(message as ControlMessage),
    onReadable: (count, info) => options.onReadable(count, info),
    onWritable: (count) => options.onWritable(count),
    onError: () => options.onError(),
  });
  const empty = new Uint8Array(0);
  return {
    startPublish(chunk, o) {
      return client.write(chunk, {
        topic: o.topic,
        QoS: o.QoS,
        retain: o.retain,
        duplicate: o.duplicate,
        id: o.id,
        byteLength: o.byteLength,
      });
    },
    continuePublish(chunk) {
      return (client as unknown as ContinuationWriter).write(chunk);
    },
    subscribe(topic, QoS, id) {
      // `topic` is ignored for SUBSCRIBE (the items carry it) but the typings require it.
      return client.write(empty, { operation: SUBSCRIBE, id, topic, items: [{ topic, QoS }] });
    },
    read(count) {
      return client.read(count);
    },
    close() {
      client.close();
    },
  };
}
