/**
 * Rewrites an outgoing offer so the offerer takes the DTLS client role (`a=setup:active`) instead
 * of leaving the choice to the answerer (`actpass`, which libdatachannel and browsers answer with
 * `active`).
 *
 * Why: libdatachannel creates its DTLS transport only once its own ICE agent reports connected,
 * and drops DTLS records that arrive earlier. If the DTLS client's agent connects first, its
 * ClientHello is lost and resent only after OpenSSL's 1 s timer. With the exchange this package
 * uses (the offerer holds its candidates until the answer is set, see `negotiation.ts`), the
 * default roles hit that on nearly every link (setup ~1 s on loopback); with the offerer as
 * client, two peers link in 10–60 ms and a mesh of 8 in ~0.1 s. RFC 4145 lets an offer say
 * `active`; answerers then reply `passive`.
 */
export function offerAsDtlsClient(sdp: string): string {
  return sdp.replace(/^a=setup:actpass(?=\r?$)/gm, 'a=setup:active');
}
