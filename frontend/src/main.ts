import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { lang } from './i18n'
import './style.css'

document.documentElement.lang = lang.value === 'zh' ? 'zh-CN' : 'en'
const app = createApp(App).use(router)
app.config.errorHandler = (err) => console.error(err)
app.mount('#app')
