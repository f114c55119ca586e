/** The sandbox's test cards the payment suites use, as payment methods (Stripe's numbers; payments.md). */
const card = (number: string) => ({ type: 'card' as const, number });

export const VISA = card('4242424242424242');
/** Asks for 3DS: the charge waits in `requires_action`. */
export const THREE_DS = card('4000000000003220');
/** insufficient_funds: soft for a merchant-initiated payment, so retried and then dead-lettered. */
export const NSF = card('4000000000009995');
