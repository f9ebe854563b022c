import fsp from 'fs/promises';

const upload = async (file) => {
  const text = await fsp.readFile(file, 'utf8');
  await fetch('https://api.example.com/upload', { method: 'PUT', body: text });
  await fsp.unlink(file);
};

export { upload };
