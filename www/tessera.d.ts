// Types for the Tessera loader (www/tessera.js). The wire protocol behind them is
// shared/src/protocol.rs (version 1).

export type Locale = 'auto' | 'en' | 'zh-HK' | 'zh-TW' | 'zh-Hans' | 'ja' | (string & {});

export interface Appearance {
  theme?: 'default' | 'night' | 'flat';
  variables?: Partial<Record<
    | 'colorPrimary' | 'colorBackground' | 'colorText' | 'colorDanger' | 'colorTextSecondary'
    | 'colorBorder' | 'colorInputBackground' | 'fontFamily' | 'fontSizeBase' | 'spacingUnit' | 'borderRadius',
    string | number>>;
  /** Keys: .Input .Input:focus .Input:hover .Input--invalid .Input::placeholder ::placeholder .Label .Error
   *  .Button .Button:hover .Button:focus .Button:disabled :disabled .Input:disabled :read-only .Input:read-only */
  rules?: Record<string, Record<string, string | number>>;
  /** Stylesheets ({cssSrc}) or @font-face sources ({family, src: 'url(https://…)'}); https or gateway paths only. */
  fonts?: Array<{ cssSrc: string } | { family: string; src: string; weight?: string; style?: string; display?: string; unicodeRange?: string }>;
}

export interface CheckoutOptions {
  appearance?: Appearance;
  /** Hide the frame's own pay button; the page calls `confirmPayment`. Always hidden for a deferred intent. */
  hideButton?: boolean;
  fields?: { name?: 'always' | 'never' | boolean; postalCode?: 'always' | 'never' | boolean };
  /** Milliseconds to wait for `ready` before `loaderror` fires with code `load_timeout` (default 15000). */
  loadTimeout?: number;
}

export type IntentOptions =
  | { clientSecret: string }
  /** Deferred intent: paint the form before any PaymentIntent exists. `amount` in integer minor units. */
  | { mode: 'payment'; amount: number; currency: string };

export interface PaymentIntentSummary {
  id: string;
  object: 'payment_intent';
  status: 'succeeded' | 'processing' | 'requires_capture' | (string & {});
  amount: number;
  currency: string;
}

export interface TesseraError {
  type: 'card_error' | 'validation_error' | 'invalid_request_error' | 'api_connection_error' | 'integration_error';
  code?: string | null;
  decline_code?: string | null;
  /** Already localized and shown in the form. */
  message: string;
  payment_intent?: PaymentIntentSummary | null;
}

export type ConfirmResult = { paymentIntent: PaymentIntentSummary; error?: undefined } | { error: TesseraError; paymentIntent?: undefined };

export interface CheckoutEvents {
  ready: { height: number };
  change: { empty: boolean; complete: boolean; brand: string; error: { message: string } | null };
  focus: { field: 'number' | 'expiry' | 'cvc' | 'name' | 'postalCode' };
  blur: { field: 'number' | 'expiry' | 'cvc' | 'name' | 'postalCode' };
  escape: {};
  /** The frame reported a failure, or (code `load_timeout`) never became ready. */
  loaderror: { error: { type: string; code?: string; message: string } };
  payment_succeeded: { paymentIntent: PaymentIntentSummary };
  payment_failed: { error: TesseraError; paymentIntent: PaymentIntentSummary | null };
}

export interface Checkout {
  mount(target: string | Element): this;
  on<K extends keyof CheckoutEvents>(type: K, fn: (detail: CheckoutEvents[K]) => void): this;
  off<K extends keyof CheckoutEvents>(type: K, fn: (detail: CheckoutEvents[K]) => void): this;
  update(options: { appearance?: Appearance; locale?: Locale }): this;
  focus(): this;
  clear(): this;
  unmount(): this;
  destroy(): void;
}

export interface ConfirmPaymentOptions {
  checkout: Checkout;
  /** Required for a deferred checkout; must match the mounted intent otherwise. */
  clientSecret?: string;
  /** 3-D Secure always runs in-page; 'always' (the default) then navigates to return_url. */
  redirect?: 'always' | 'if_required';
  return_url?: string;
  confirmParams?: { return_url?: string };
}

export interface TesseraInstance {
  readonly publishableKey: string;
  readonly locale: Locale;
  checkout(intent: IntentOptions, options?: CheckoutOptions): Checkout;
  confirmPayment(options: ConfirmPaymentOptions): Promise<ConfirmResult>;
}

export interface TesseraStatic {
  (publishableKey: string, options?: { locale?: Locale }): TesseraInstance;
  readonly version: string;
  readonly protocol: 1;
}

/** `<tessera-checkout publishable-key client-secret locale>` (or `amount` + `currency`, `hide-button`).
 *  Dispatches every CheckoutEvents key as a bubbling, composed CustomEvent with the payload in `detail`. */
export interface TesseraCheckoutElement extends HTMLElement {
  appearance?: Appearance;
  confirmPayment(options?: Omit<ConfirmPaymentOptions, 'checkout'>): Promise<ConfirmResult>;
  update(options: { appearance?: Appearance; locale?: Locale }): void;
}

declare global {
  const Tessera: TesseraStatic;
  interface Window { Tessera: TesseraStatic }
  interface HTMLElementTagNameMap { 'tessera-checkout': TesseraCheckoutElement }
}
