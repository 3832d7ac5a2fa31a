/** Font files the share cards read at run time, named apart so the bundler can copy them. */

/**
 * Noto Sans for the CJK scripts DejaVu lacks, by the language satori detects in the text:
 * each is several megabytes, so it is read only when a card needs it. Simplified Chinese
 * also draws Traditional Chinese and the kana of Japanese text satori cannot place.
 */
export const EXTRA_FONT_FILES = [
  '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
  '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf',
  '@expo-google-fonts/noto-sans-kr/700Bold/NotoSansKR_700Bold.ttf',
] as const;
