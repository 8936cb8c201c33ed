import type { DirectionMap } from './types.ts';

/**
 * Built-in stage-direction vocabularies, used when the voice preset stores no direction map.
 * Words are matched case- and accent-insensitively, so "rapido" also finds "rápido".
 */
const DEFAULT_PAUSE_MS = 500;
const SLOWER = { kind: 'prosody', rate: '-20%' } as const;
const FASTER = { kind: 'prosody', rate: '+20%' } as const;
const HIGHER = { kind: 'prosody', pitch: '+10%' } as const;
const LOWER = { kind: 'prosody', pitch: '-10%' } as const;

function style(name: string) {
  return { kind: 'style', style: name } as const;
}

const ENGLISH: DirectionMap = {
  pause: { kind: 'pause', defaultMs: DEFAULT_PAUSE_MS },
  break: { kind: 'pause', defaultMs: DEFAULT_PAUSE_MS },
  style: { kind: 'style-named' },
  default: { kind: 'style-reset' },
  normal: { kind: 'style-reset' },
  cheerful: style('cheerful'),
  sad: style('sad'),
  excited: style('excited'),
  whispering: style('whispering'),
  whisper: style('whispering'),
  calm: style('calm'),
  serious: style('serious'),
  angry: style('angry'),
  hopeful: style('hopeful'),
  friendly: style('friendly'),
  empathetic: style('empathetic'),
  shouting: style('shouting'),
  terrified: style('terrified'),
  slow: SLOWER,
  fast: FASTER,
  higher: HIGHER,
  lower: LOWER,
  rate: { kind: 'rate' },
  pitch: { kind: 'pitch' },
  voice: { kind: 'voice' },
  image: { kind: 'image' },
  clip: { kind: 'clip' },
  music: { kind: 'music', off: 'off' },
};

const SPANISH: DirectionMap = {
  pausa: { kind: 'pause', defaultMs: DEFAULT_PAUSE_MS },
  silencio: { kind: 'pause', defaultMs: DEFAULT_PAUSE_MS },
  estilo: { kind: 'style-named' },
  normal: { kind: 'style-reset' },
  predeterminado: { kind: 'style-reset' },
  alegre: style('cheerful'),
  triste: style('sad'),
  emocionado: style('excited'),
  susurro: style('whispering'),
  susurrando: style('whispering'),
  calmado: style('calm'),
  tranquilo: style('calm'),
  serio: style('serious'),
  enojado: style('angry'),
  esperanzado: style('hopeful'),
  amable: style('friendly'),
  lento: SLOWER,
  rápido: FASTER,
  agudo: HIGHER,
  grave: LOWER,
  velocidad: { kind: 'rate' },
  tono: { kind: 'pitch' },
  voz: { kind: 'voice' },
  imagen: { kind: 'image' },
  clip: { kind: 'clip' },
  video: { kind: 'clip' },
  música: { kind: 'music', off: 'apagada' },
};

const PORTUGUESE: DirectionMap = {
  pausa: { kind: 'pause', defaultMs: DEFAULT_PAUSE_MS },
  silêncio: { kind: 'pause', defaultMs: DEFAULT_PAUSE_MS },
  estilo: { kind: 'style-named' },
  normal: { kind: 'style-reset' },
  padrão: { kind: 'style-reset' },
  alegre: style('cheerful'),
  triste: style('sad'),
  animado: style('excited'),
  sussurro: style('whispering'),
  sussurrando: style('whispering'),
  calmo: style('calm'),
  sério: style('serious'),
  bravo: style('angry'),
  zangado: style('angry'),
  esperançoso: style('hopeful'),
  amigável: style('friendly'),
  lento: SLOWER,
  rápido: FASTER,
  agudo: HIGHER,
  grave: LOWER,
  velocidade: { kind: 'rate' },
  tom: { kind: 'pitch' },
  voz: { kind: 'voice' },
  imagem: { kind: 'image' },
  clipe: { kind: 'clip' },
  vídeo: { kind: 'clip' },
  música: { kind: 'music', off: 'desligada' },
};

export const DEFAULT_DIRECTION_MAPS: Readonly<Record<'en' | 'es' | 'pt', DirectionMap>> = {
  en: Object.freeze(ENGLISH),
  es: Object.freeze(SPANISH),
  pt: Object.freeze(PORTUGUESE),
};

/** The built-in vocabulary for a BCP-47 language ("es-MX" → Spanish); English when unknown or absent. */
export function defaultDirectionMap(language?: string): DirectionMap {
  const primary = language?.trim().toLowerCase().split(/[-_]/)[0];
  if (primary === 'es' || primary === 'pt') return DEFAULT_DIRECTION_MAPS[primary];
  return DEFAULT_DIRECTION_MAPS.en;
}
