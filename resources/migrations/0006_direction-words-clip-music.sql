-- The built-in vocabularies gained [clip ...] and [music ...]. A voice preset keeps its own copy of a
-- vocabulary, so the rows that use a built-in one (they have its word for [image]) get the new words
-- too. json_insert never overwrites: a word a user already gave another meaning keeps it.
UPDATE `voice_presets` SET `direction_map` = json_insert(`direction_map`,
  '$.clip', json('{"kind":"clip"}'),
  '$.music', json('{"kind":"music","off":"off"}'))
WHERE json_extract(`direction_map`, '$.image.kind') = 'image';--> statement-breakpoint
UPDATE `voice_presets` SET `direction_map` = json_insert(`direction_map`,
  '$.clip', json('{"kind":"clip"}'),
  '$.video', json('{"kind":"clip"}'),
  '$."música"', json('{"kind":"music","off":"apagada"}'))
WHERE json_extract(`direction_map`, '$.imagen.kind') = 'image';--> statement-breakpoint
UPDATE `voice_presets` SET `direction_map` = json_insert(`direction_map`,
  '$.clipe', json('{"kind":"clip"}'),
  '$."vídeo"', json('{"kind":"clip"}'),
  '$."música"', json('{"kind":"music","off":"desligada"}'))
WHERE json_extract(`direction_map`, '$.imagem.kind') = 'image';
