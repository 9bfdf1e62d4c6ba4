/** Exit code of a keeper that found another keeper owning the state dir: its starter waits for that one instead. */
export const EXIT_OWNED_ELSEWHERE = 75;
